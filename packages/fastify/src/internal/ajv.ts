import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule, { type FormatsPlugin } from 'ajv-formats';

// ajv-formats is CommonJS with an `exports.default`: under NodeNext the default import is typed as
// the module object, while at run time it may be either. Take whichever is the plugin function.
const addFormats: FormatsPlugin = (formatsModule as unknown as { default?: FormatsPlugin }).default ?? (formatsModule as unknown as FormatsPlugin);

/**
 * The validator of this plugin's routes. Fastify's default Ajv coerces types (`"5"` becomes `5`) and
 * silently removes unknown properties; a task must run with exactly what the client sent, and an
 * unknown option must be refused, so this one does neither.
 */
export function createAjv(): Ajv {
  const ajv = new Ajv({
    coerceTypes: false,
    removeAdditional: false,
    useDefaults: false,
    allErrors: false,
    // Route schemas embed app schemas that may carry `$id`s; compiling one twice must not clash.
    addUsedSchema: false,
    // Unknown keywords (typos such as `minlength`) fail at registration instead of validating nothing.
    strict: true,
    strictTypes: false,
    strictTuples: false,
    allowUnionTypes: true,
  });
  addFormats(ajv);
  // OpenAPI's annotation, common in schemas written for @fastify/swagger.
  ajv.addKeyword({ keyword: 'example' });
  return ajv;
}

export type { ErrorObject, ValidateFunction };
