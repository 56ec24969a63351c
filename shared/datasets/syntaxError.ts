/**
 * A dataset file whose structure cannot be read on (not a JSON array, an unclosed quote swallowing the rest of a CSV,
 * a line longer than any real record): thrown, because no later row could be trusted. A single bad row is not an
 * error but a reported problem (RowProblem) and reading goes on.
 */
export class DatasetSyntaxError extends Error {
  constructor(
    message: string,
    /** the 1-based line the problem is on, when there is one */
    readonly line?: number,
  ) {
    super(message);
    this.name = "DatasetSyntaxError";
  }
}
