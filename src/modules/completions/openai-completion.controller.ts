import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AppException, ErrorCode } from '../../common/errors';
import { OpenAiChatCompletionDto } from './dto/openai-chat.dto';

@ApiTags('openai-compatible')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('v1')
export class OpenAiCompletionController {
  @Post('chat/completions')
  @HttpCode(200)
  @ApiOperation({ summary: 'OpenAI-compatible chat completions (JSON or SSE)' })
  complete(@Body() _body: OpenAiChatCompletionDto): never {
    throw new AppException(ErrorCode.NOT_IMPLEMENTED, 'Chat completions are not implemented yet');
  }
}
