/**
 * A JSON Schema for Grafana dashboards, derived from the `Dashboard` type that `@grafana/schema`
 * (Grafana's own generated schema package) ships, so the generated dashboard is checked against
 * Grafana's published model rather than against the SDK that produced it.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createGenerator } from 'ts-json-schema-generator';

const require = createRequire(import.meta.url);

/** The `.d.ts` of the classic (v1, `schemaVersion`) dashboard model inside @grafana/schema. */
export function grafanaSchemaTypesPath(): string {
  const pkg = require.resolve('@grafana/schema/package.json');
  return join(dirname(pkg), 'dist/types/raw/dashboard/x/types.gen.d.ts');
}

export function grafanaSchemaVersion(): string {
  return (require('@grafana/schema/package.json') as { version: string }).version;
}

export type JsonSchema = Record<string, unknown>;

/**
 * Definitions left open. Grafana's CUE source declares `#VariableModel` open (`...`), because
 * each variable type adds its own fields; the foundation SDK indeed emits interval-variable
 * fields (`auto`, `auto_min`, `auto_count`) and `definition` on every variable.
 */
export const OPEN_DEFINITIONS: readonly string[] = ['VariableModel'];

/**
 * Every other object is closed (`additionalProperties: false`): a misspelt field in the
 * generated JSON fails validation instead of being silently ignored by Grafana.
 */
export function deriveDashboardSchema(): JsonSchema {
  const generator = createGenerator({
    path: grafanaSchemaTypesPath(),
    type: 'Dashboard',
    skipTypeCheck: true,
    expose: 'export',
    topRef: true,
    jsDoc: 'none',
    additionalProperties: false,
  });
  const schema = generator.createSchema('Dashboard') as JsonSchema & { definitions?: Record<string, JsonSchema> };
  for (const name of OPEN_DEFINITIONS) {
    const definition = schema.definitions?.[name];
    if (!definition) throw new Error(`@grafana/schema has no ${name} definition any more; revisit OPEN_DEFINITIONS`);
    definition.additionalProperties = true;
  }
  return schema;
}
