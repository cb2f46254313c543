import pg from 'pg';

const INT8 = 20;
const INT8_ARRAY = 1016;
const INT4_ARRAY = 1007;

/**
 * Process-wide pg result parsing: int8 (bigint, count(*), identity ids) as JavaScript
 * numbers rather than strings — APIQ's ids and counters stay far below 2^53. numeric stays
 * a string (exact decimals). Imported for its effect by everything that opens a connection.
 */
const setParser = pg.types.setTypeParser as (oid: number, parse: (value: string) => unknown) => void;
const getParser = pg.types.getTypeParser as (oid: number) => (value: string) => unknown;
setParser(INT8, (value) => Number.parseInt(value, 10));
setParser(INT8_ARRAY, getParser(INT4_ARRAY)); // int4[] parsing yields numbers

export {};
