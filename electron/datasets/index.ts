/**
 * electron/datasets: dataset files in and out.
 *
 * - import.ts (+ textFile.ts): a JSON Lines, CSV or JSON file streamed into dataset items, bad rows named by line;
 *   preview.ts: the first rows as parsed, for the import wizard's mapping.
 * - storeImport.ts: those items written into the store in batches, visible only once the whole file is in (the
 *   `import` job, `guardbench run --dataset`).
 * - export.ts: rows written out as JSON Lines or CSV through a temporary file, renamed into place at the end.
 * - demo.ts (+ demo/): the bundled demo datasets and their licences.
 *
 * May import: store/ (storeImport.ts writes the items: the one place a dataset file meets the database, so the readers
 * stay usable without one) and core/ (the file's sha256, so an import of the same bytes is recognised).
 * Imported by host/ (handlers/datasets.ts), evaluation/ (export rows) and cli/.
 * This file is the folder's map; import the modules themselves.
 */
export {};
