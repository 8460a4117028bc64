/**
 * The zod every schema of the API is built with: its tree-shakable build, `zod/mini` (schema kinds
 * and checks are functions, not methods every schema carries, so a bundle holds only those its
 * routes use: about 25 KB instead of the full build's 90), with the English messages the full build
 * sets by default. Validation answers and `z.toJSONSchema` are the same as the full build's: both
 * sit on one core.
 */
import en from 'zod/v4/locales/en.js';
import { config } from 'zod/mini';

config(en());

// Re-exported name by name (`import * as z from './zod.ts'`), not as one namespace object, which
// would keep every export of zod in each bundle.
export * from 'zod/mini';
