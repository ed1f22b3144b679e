// Pure: a cell as the readers deliver it and the normalisers take it — the one contract
// between shared/formats and the domain. CSV gives strings; XLSX may give numbers, booleans
// or dates; an empty cell is null.
export type CellValue = string | number | boolean | Date | null;
