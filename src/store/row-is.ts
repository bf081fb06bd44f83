/**
 * `Record` when a table's rows are exactly the domain's records, column for column, else
 * `never`: a schema that drifts from the record it stores fails to compile where it is used.
 */
export type RowIs<Row, Record> = [Row] extends [Record] ? ([Record] extends [Row] ? Record : never) : never;
