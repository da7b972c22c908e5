import { MESSAGE_TYPES, type MessageType } from '../../../../src-shared/domain';
import { ValidationError } from '../../../../src-shared/errors';
import type { TaskCallHandler } from '../../pool';
import type { RunnerContext, RunnerLogLevel, RunnerMessage } from '../types';
import type { ScriptRunnerOptions } from './types';

const LOG_LEVELS: readonly RunnerLogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface ScriptCalls {
  handler: TaskCallHandler;
  /** Whether the script has sent or replied: then a crashed attempt is not run again. */
  hasSideEffects(): boolean;
}

/** Answers the script's ctx.send / ctx.reply / ctx.log, which arrive from the worker thread. */
export function createScriptCalls(
  message: RunnerMessage,
  ctx: RunnerContext,
  send: ScriptRunnerOptions['send'],
): ScriptCalls {
  let sideEffects = 0;
  const handler: TaskCallHandler = async (method, args) => {
    switch (method) {
      case 'send': {
        const [receiver, type, content] = args;
        if (typeof receiver !== 'string' || receiver === '') {
          throw new ValidationError(
            'INVALID_MESSAGE',
            'ctx.send needs a receiver session id',
            'receiver',
            receiver,
          );
        }
        sideEffects++;
        await send({
          from: ctx.session.id,
          receiver,
          type: messageType(type),
          content,
          inReplyTo: message.id,
        });
        return null;
      }
      case 'reply': {
        const [type, content] = args;
        sideEffects++;
        await ctx.reply(messageType(type), content);
        return null;
      }
      case 'log': {
        const [first, second] = args;
        const leveled = args.length > 1 && LOG_LEVELS.includes(first as RunnerLogLevel);
        ctx.log(
          leveled ? (first as RunnerLogLevel) : 'info',
          String(leveled ? second : args.join(' ')),
        );
        return null;
      }
      default:
        throw new ValidationError(
          'INVALID_INPUT',
          `Unknown script call ctx.${method}`,
          'method',
          method,
        );
    }
  };
  return { handler, hasSideEffects: () => sideEffects > 0 };
}

function messageType(type: unknown): MessageType {
  if (typeof type === 'string' && (MESSAGE_TYPES as readonly string[]).includes(type)) {
    return type as MessageType;
  }
  throw new ValidationError(
    'INVALID_MESSAGE',
    `Unknown message type ${JSON.stringify(type)}`,
    'type',
    type,
  );
}
