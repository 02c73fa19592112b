// @ts-check
'use strict';
const path = require('node:path');

/**
 * Modules are the folders under src/modules; each one's public surface is its index.ts. This
 * rule fails an import that reaches into another module's files (anything but its folder or
 * index), resolved by path, so `../../tools/tools.service` and `src/modules/tools/tools.service`
 * are both caught. Imports within a module, and into the shared layers, are not its concern.
 */
const MODULES_DIR = path.join('src', 'modules');

/**
 * The module a path lies in and the path inside it, or undefined outside src/modules.
 * @param {string} relToRoot a path relative to the project root
 */
function moduleOf(relToRoot) {
  const rel = path.relative(MODULES_DIR, relToRoot);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const [name, ...rest] = rel.split(path.sep);
  return { name, inner: rest.join('/') };
}

/** @param {string} inner the path inside the module, '' for the folder itself */
function isPublicSurface(inner) {
  return inner === '' || /^index(\.[cm]?[jt]s)?$/.test(inner);
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Import other modules through their index.ts, never their internals' },
    schema: [],
    messages: {
      internal:
        "'{{source}}' reaches into module '{{module}}' internals: import from '{{suggest}}' " +
        '(export what you need from its index.ts).',
    },
  },
  create(context) {
    const root = context.cwd;
    const file = path.relative(root, context.filename);
    const from = moduleOf(file);

    /** @param {import('estree').Node | null | undefined} node */
    function check(node) {
      if (!node || node.type !== 'Literal' || typeof node.value !== 'string') return;
      const source = node.value;
      let target;
      if (source.startsWith('.')) {
        target = path.relative(root, path.resolve(path.dirname(context.filename), source));
      } else if (source === 'src' || source.startsWith('src/')) {
        // tsconfig's baseUrl makes `src/...` resolve from the project root.
        target = path.normalize(source);
      } else {
        return;
      }
      const to = moduleOf(target);
      if (!to || isPublicSurface(to.inner)) return;
      if (from && from.name === to.name) return;
      let suggest = path.relative(path.dirname(file), path.join(MODULES_DIR, to.name));
      suggest = suggest.split(path.sep).join('/');
      if (!suggest.startsWith('.')) suggest = `./${suggest}`;
      context.report({ node, messageId: 'internal', data: { source, module: to.name, suggest } });
    }

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') {
          const [arg] = node.arguments;
          if (arg && arg.type === 'Literal') check(arg);
        }
      },
      /** `import x = require('...')` (TypeScript). @param {any} node */
      TSExternalModuleReference(node) {
        check(node.expression);
      },
    };
  },
};

module.exports = { meta: { name: 'local' }, rules: { 'module-boundaries': rule } };
