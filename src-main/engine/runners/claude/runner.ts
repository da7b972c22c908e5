import type { Runner, RunnerContext, RunnerMessage, RunnerResult } from '../types';
import { createAnthropicClient } from './client';
import { readEnv, resolveClaudeSettings, type ClaudeSettings, type EnvSource } from './config';
import { abortError } from './errors';
import { ProgressSender } from './progress';
import { contentToPrompt } from './prompt';
import { streamMessage, type ClaudeUsage, type StreamParams } from './stream';

export interface ClaudeRunnerResult {
  text: string;
  model: string;
  stopReason: string | null;
  usage: ClaudeUsage;
}

export interface ClaudeRunnerOptions {
  /** Where ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL are read from; defaults to process.env. */
  env?: EnvSource;
}

export function baseParams(settings: ClaudeSettings): Omit<StreamParams, 'messages'> {
  return {
    model: settings.model,
    max_tokens: settings.maxTokens,
    ...(settings.system !== undefined ? { system: settings.system } : {}),
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
  };
}

/**
 * The `claude` runner: the message content becomes the user prompt of one streamed Messages API
 * request. Text deltas go out as PROGRESS_REPORT `{ text }`; the result is
 * `{ text, model, stopReason, usage }`. Config: { model, system?, maxTokens?, baseURL?, apiKey?,
 * maxRetries?, timeoutMs?, temperature? }.
 */
export function createClaudeRunner(options: ClaudeRunnerOptions = {}): Runner {
  return {
    kind: 'claude',
    async handle(message: RunnerMessage, ctx: RunnerContext): Promise<RunnerResult> {
      const settings = resolveClaudeSettings(
        ctx.config,
        await readEnv(options.env),
        ctx.session.name,
      );
      const prompt = contentToPrompt(message.content);
      if (ctx.signal.aborted) throw abortError(ctx.signal, 'The Claude request');
      const client = createAnthropicClient(settings, (level, text) => ctx.log(level, text));
      const progress = new ProgressSender(ctx);
      try {
        const answer = await streamMessage(
          client,
          { ...baseParams(settings), messages: [{ role: 'user', content: prompt }] },
          {
            signal: ctx.signal,
            maxRetries: settings.maxRetries,
            onText: (text) => progress.push(text),
          },
        );
        await progress.flush();
        const content: ClaudeRunnerResult = {
          text: answer.text,
          model: answer.model,
          stopReason: answer.stopReason,
          usage: answer.usage,
        };
        return { content };
      } catch (error) {
        // Deliver the text that did arrive before reporting the failure (unless cancelled).
        if (!ctx.signal.aborted) await progress.flush();
        throw error;
      }
    },
  };
}
