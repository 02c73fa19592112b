/** The tools module's public surface; other modules import from here only. */
export { ToolsModule } from './tools.module';
export { ToolsService } from './tools.service';
export { ToolExecutor } from './execution/tool-executor.service';
export type { ExecutableTool } from './execution/executable-tool';
export { ToolEntity } from './postgres/tool.entity';
