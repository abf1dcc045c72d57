/**
 * The one-way dependency rule (issue 14): bottom tier (layers/core) ← adapters (layers/providers, layers/x402)
 * ← domain (shared/) ← functions. Type-only imports may point back up (a domain type named by an adapter's
 * signature erases at build time); value imports may not, no value-import cycle exists anywhere, and no two
 * folders import each other.
 * Tests, bench, scripts and the local runtime reach across tiers on purpose and are not checked.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A value-import cycle makes module initialisation order matter; type-only cycles erase.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment: 'No two folders import each other (directly or round a loop): each folder sits in one place in the tiers.',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-the-bottom',
      severity: 'error',
      comment: 'layers/core (errors, SSE, media formats, limits, logging, table names) imports no other project code.',
      from: { path: '^layers/core/' },
      to: { path: '^(layers/(providers|x402)|shared|functions|infra)/' },
    },
    {
      name: 'layers-below-domain',
      severity: 'error',
      comment: 'Adapters never import the domain, the functions or the stack.',
      from: { path: '^layers/' },
      to: { path: '^(shared|functions|infra)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-below-functions',
      severity: 'error',
      comment: 'The domain never imports a function handler or the stack.',
      from: { path: '^shared/' },
      to: { path: '^(functions|infra)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|test|bench|scripts|infra/local|cdk\\.out)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
