import type { ESLint, Rule } from 'eslint';

/** The local ESLint plugin (eslint-rules/module-boundaries.js), typed for its spec. */
declare const plugin: ESLint.Plugin & { rules: { 'module-boundaries': Rule.RuleModule } };
export = plugin;
