import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AppException, ErrorCode } from '../../common/errors';
import { AgentCompletionDto } from './dto/agent-completion.dto';

@ApiTags('completions')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v2/model')
export class AgentCompletionController {
  @Post('chat/completion')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run a stored agent',
    description:
      'Loads the agent, fills its prompt, applies history, tools and cache, and answers in the gateway envelope (or SSE with stream: true).',
  })
  complete(@Body() _body: AgentCompletionDto): never {
    throw new AppException(ErrorCode.NOT_IMPLEMENTED, 'Agent completions are not implemented yet');
  }
}
