import type { ErrorObject } from './ajv.js';

/**
 * One line per validation error, naming where in the request it is (`body/args/0 must be number`).
 * Ajv's own text for an unknown property does not name it, so that case is spelled out.
 */
export function formatSchemaErrors(errors: readonly ErrorObject[], dataVar: string): string {
  return errors.map((e) => describe(e, `${dataVar}${e.instancePath}`)).join('; ');
}

function describe(error: ErrorObject, where: string): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `${where} has an unknown property "${String(params.additionalProperty)}"`;
  return `${where} ${error.message ?? 'is invalid'}`;
}
