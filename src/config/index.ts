export { loadConfig, parseConfig, readEnvironment, type Env } from './load.js';
export { SPEC, ALL_VARIABLES, type Config } from './spec.js';
