/** Helpers for the sample apps' tests; kept out of the main entry so app code does not load them. */
export { getJson } from './get-json.js';
export { waitFor } from './wait-for.js';
