#!/usr/bin/env node
// Rasterises build/icon.svg's shapes into build/icon.png (512×512, what electron-builder converts for each platform),
// with no image library: a point-in-shape test per sub-pixel, 4×4 supersampled, written as a PNG with node:zlib.
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const SIZE = 512;
const SAMPLES = 4;
const colours = { background: [0x1f, 0x3b, 0x57], shield: [0xe8, 0xee, 0xf4], check: [0x2e, 0x8b, 0x57] };

const inRoundedSquare = (x, y, r = 96) => {
  const cx = Math.min(Math.max(x, r), SIZE - r);
  const cy = Math.min(Math.max(y, r), SIZE - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};

// The shield: straight top edges, then two quadratic-ish curves to the point at the bottom (sampled into a polygon).
const shield = (() => {
  const points = [[256, 64], [416, 120], [416, 248]];
  const curve = (p0, c1, c2, p1) => {
    for (let t = 0.05; t <= 1.0001; t += 0.05) {
      const u = 1 - t;
      points.push([u ** 3 * p0[0] + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t ** 3 * p1[0], u ** 3 * p0[1] + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t ** 3 * p1[1]]);
    }
  };
  curve([416, 248], [416, 340], [348, 408], [256, 448]);
  curve([256, 448], [164, 408], [96, 340], [96, 248]);
  points.push([96, 120]);
  return points;
})();

function inPolygon(x, y, polygon) {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const checkPath = [[176, 260], [236, 320], [344, 196]];
function nearCheck(x, y, halfWidth = 20) {
  for (let i = 0; i < checkPath.length - 1; i++) {
    const [ax, ay] = checkPath[i];
    const [bx, by] = checkPath[i + 1];
    const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
    if ((x - (ax + t * (bx - ax))) ** 2 + (y - (ay + t * (by - ay))) ** 2 <= halfWidth ** 2) return true;
  }
  return false;
}

const rows = [];
for (let y = 0; y < SIZE; y++) {
  const row = Buffer.alloc(1 + SIZE * 4); // filter byte 0, then RGBA
  for (let x = 0; x < SIZE; x++) {
    const sum = [0, 0, 0, 0];
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const px = x + (sx + 0.5) / SAMPLES;
        const py = y + (sy + 0.5) / SAMPLES;
        if (!inRoundedSquare(px, py)) continue;
        const colour = nearCheck(px, py) ? colours.check : inPolygon(px, py, shield) ? colours.shield : colours.background;
        sum[0] += colour[0];
        sum[1] += colour[1];
        sum[2] += colour[2];
        sum[3] += 255;
      }
    }
    const covered = sum[3] / 255;
    const offset = 1 + x * 4;
    if (covered > 0) for (let c = 0; c < 3; c++) row[offset + c] = Math.round(sum[c] / covered);
    row[offset + 3] = Math.round(sum[3] / (SAMPLES * SAMPLES));
  }
  rows.push(row);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes) => {
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
};
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk("IHDR", header),
  chunk("IDAT", deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk("IEND", Buffer.alloc(0)),
]);
writeFileSync(new URL("./icon.png", import.meta.url), png);
console.log(`wrote build/icon.png (${png.length} bytes)`);
