import Anthropic from '@anthropic-ai/sdk';
import type { RunnerLogLevel } from '../types';
import type { ClaudeSettings } from './config';

const DEFAULT_BASE_URL = 'https://api.anthropic.com';

/**
 * An SDK client for one request. The SDK does the retrying: 408/409/429 and every 5xx (529
 * overloaded included) and connection errors, up to `maxRetries` times, with exponential backoff
 * (0.5 s doubling to 8 s, jittered) unless the response carries `retry-after-ms` or `retry-after`,
 * which it honours. It retries only before the response body starts, so a retry never repeats
 * text already streamed.
 */
export function createAnthropicClient(
  settings: ClaudeSettings,
  log?: (level: RunnerLogLevel, text: string) => void,
): Anthropic {
  const logger = log && {
    error: (message: string) => log('error', `anthropic: ${message}`),
    warn: (message: string) => log('warn', `anthropic: ${message}`),
    info: (message: string) => log('info', `anthropic: ${message}`),
    debug: (message: string) => log('debug', `anthropic: ${message}`),
  };
  return new Anthropic({
    apiKey: settings.apiKey,
    // Explicit, so the SDK does not read ANTHROPIC_BASE_URL itself (the engine's env may be injected).
    baseURL: settings.baseURL ?? DEFAULT_BASE_URL,
    maxRetries: settings.maxRetries,
    timeout: settings.timeoutMs,
    ...(logger ? { logger, logLevel: 'warn' as const } : {}),
  });
}
