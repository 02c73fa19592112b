import * as path from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import plugin from '../../eslint-rules/module-boundaries';

const rule = plugin.rules['module-boundaries'];
const at = (file: string) => path.join(process.cwd(), file);
const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
});

tester.run('module-boundaries', rule, {
  valid: [
    // Another module through its index, as a folder or as the file.
    {
      filename: at('src/modules/agents/agents.service.ts'),
      code: "import { ToolsService } from '../tools';",
    },
    {
      filename: at('src/modules/agents/agents.service.ts'),
      code: "import { ToolsService } from '../tools/index';",
    },
    // Inside one module, any file.
    {
      filename: at('src/modules/completions/pipeline/model-runner.ts'),
      code: "import { JobBuilder } from './job-builder';",
    },
    {
      filename: at('src/modules/completions/async/x.ts'),
      code: "import { CompletionPipeline } from '../pipeline/completion-pipeline.service';",
    },
    // The app root and the shared layers, through indexes.
    { filename: at('src/app.module.ts'), code: "import { AgentsModule } from './modules/agents';" },
    {
      filename: at('src/bootstrap/create-app.ts'),
      code: "import { LifecycleState } from '../modules/monitoring';",
    },
    // Shared layers and packages are not modules.
    {
      filename: at('src/modules/agents/agents.service.ts'),
      code: "import { AppException } from '../../common/errors/app-exception';",
    },
    {
      filename: at('src/modules/agents/agents.service.ts'),
      code: "import { Injectable } from '@nestjs/common';",
    },
    // Type-only imports and re-exports go through the index too.
    {
      filename: at('src/modules/agents/agent.types.ts'),
      code: "import type { ServiceName } from '../providers';",
    },
    { filename: at('src/modules/agents/x.ts'), code: "export { ToolsService } from '../tools';" },
  ],
  invalid: [
    {
      filename: at('src/modules/agents/agents.service.ts'),
      code: "import { ToolsService } from '../tools/tools.service';",
      errors: [
        {
          messageId: 'internal',
          data: { source: '../tools/tools.service', module: 'tools', suggest: '../tools' },
        },
      ],
    },
    {
      filename: at('src/modules/completions/pipeline/ports.ts'),
      code: "import type { Agent } from '../../agents/agent.types';",
      errors: [
        {
          messageId: 'internal',
          data: { source: '../../agents/agent.types', module: 'agents', suggest: '../../agents' },
        },
      ],
    },
    {
      // Shared layers may not reach in either.
      filename: at('src/infra/postgres/schema.ts'),
      code: "import { JobEntity } from '../../modules/queue/jobs/postgres/job.entity';",
      errors: [
        {
          messageId: 'internal',
          data: {
            source: '../../modules/queue/jobs/postgres/job.entity',
            module: 'queue',
            suggest: '../../modules/queue',
          },
        },
      ],
    },
    {
      filename: at('src/app.module.ts'),
      code: "import { AgentsModule } from './modules/agents/agents.module';",
      errors: [
        {
          messageId: 'internal',
          data: {
            source: './modules/agents/agents.module',
            module: 'agents',
            suggest: './modules/agents',
          },
        },
      ],
    },
    {
      // baseUrl-style paths resolve from the project root.
      filename: at('src/modules/agents/agents.service.ts'),
      code: "import { ToolsService } from 'src/modules/tools/tools.service';",
      errors: [{ messageId: 'internal' }],
    },
    {
      filename: at('src/modules/agents/x.ts'),
      code: "export { ToolsService } from '../tools/tools.service';",
      errors: [{ messageId: 'internal' }],
    },
    {
      filename: at('src/modules/agents/x.ts'),
      code: "export * from '../tools/tools.service';",
      errors: [{ messageId: 'internal' }],
    },
    {
      filename: at('src/modules/agents/x.ts'),
      code: "const m = import('../tools/mongo/mongo-tools.repository');",
      errors: [{ messageId: 'internal' }],
    },
    {
      filename: at('src/modules/agents/x.ts'),
      code: "import t = require('../tools/tools.service');",
      errors: [{ messageId: 'internal' }],
    },
    {
      // A module folder whose name merely starts like another's is still another module.
      filename: at('src/modules/tools/x.ts'),
      code: "import { Y } from '../tools-extra/y';",
      errors: [
        {
          messageId: 'internal',
          data: { source: '../tools-extra/y', module: 'tools-extra', suggest: '../tools-extra' },
        },
      ],
    },
  ],
});
