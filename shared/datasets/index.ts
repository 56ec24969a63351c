// The public API of shared/datasets: the record format, column mappings, label reading and the incremental readers
// of JSON Lines, CSV and JSON arrays (pure; electron/datasets does the file I/O).
export {
  describeValue,
  generatedId,
  isRecord,
  recordToItem,
  SAFETY_LABELS,
  safetyLabelSchema,
  type DatasetItem,
  type DatasetRecord,
  type RowProblem,
  type RowResult,
  type SafetyLabel,
} from "./record.ts";
export { ACCEPTED_LABELS_HINT, normalizeLabel, type LabelReading } from "./labels.ts";
export {
  LABEL_VALUE_PRESETS,
  canonicalLabelValue,
  distinctLabelValues,
  labelValuesSchema,
  readLabelValue,
  suggestLabelValues,
  swapLabelValues,
  type LabelValuePreset,
  type LabelValues,
} from "./labelValues.ts";
export {
  columnMappingSchema,
  detectColumns,
  mapRow,
  mappingProblems,
  parseCategoryList,
  rowToItem,
  type ColumnDetection,
  type ColumnMapping,
  type MappableField,
} from "./mapping.ts";
export { CsvParser, formatCsvField, formatCsvRecord, type CsvEvent, type CsvParserOptions } from "./csv.ts";
export { LineSplitter, type NumberedLine } from "./lines.ts";
export { JsonArraySplitter, type JsonArrayEvent } from "./jsonArray.ts";
export { DATASET_FORMATS, createRawRowReader, type DatasetFormat, type RawRowEvent, type RawRowReader, type RawRowReaderOptions } from "./rawRows.ts";
export { DatasetSyntaxError } from "./syntaxError.ts";
