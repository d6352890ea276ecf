import OpenAI, {AzureOpenAI} from 'openai';
import {StageFailure} from '../core/stage-failure.js';
import {withoutCredentials} from '../core/url-secrets.js';
import type {OpenAIBackend} from '../recipe/recipe-types.js';

/** How ft reaches the fine-tuning API: the SDK client and, for messages, where it points. */
export interface Connection {
  readonly api: OpenAI;
  /** The base URL without credentials, for messages (never the key). */
  readonly where: string;
  readonly azure: boolean;
}

/**
 * Retries the SDK may make of a request that is safe to repeat (GETs, uploads, cancels): 429s,
 * 5xx and dropped connections are its to recover from. Job creation turns them off per call
 * (jobs.ts): OpenAI has no idempotency key, so a blind second POST could start a second job.
 */
const SAFE_RETRIES = 5;

/**
 * The SDK client for a backend. Credentials come from the environment only (OPENAI_API_KEY, and
 * OPENAI_ORG_ID / OPENAI_PROJECT_ID, which the SDK reads itself; AZURE_OPENAI_API_KEY for
 * Azure), never from the recipe, and ft never writes them anywhere. The base URL is the
 * recipe's `base_url`, else OPENAI_BASE_URL, else the SDK's default.
 */
export function connect(backend: OpenAIBackend, env: NodeJS.ProcessEnv = process.env): Connection {
  if (backend.azure) {
    const apiKey = env.AZURE_OPENAI_API_KEY;
    if (!apiKey) {
      throw new StageFailure(
        'credentials',
        'AZURE_OPENAI_API_KEY is not set: the azure backend needs the resource key in the environment (ft never reads keys from the recipe)',
      );
    }
    const api = new AzureOpenAI({
      endpoint: backend.azure.endpoint,
      apiVersion: backend.azure.api_version,
      apiKey,
      maxRetries: SAFE_RETRIES,
      logLevel: 'off',
    });
    return {api, where: withoutCredentials(backend.azure.endpoint), azure: true};
  }
  const apiKey = env.OPENAI_API_KEY;
  if (!apiKey) {
    throw new StageFailure(
      'credentials',
      'OPENAI_API_KEY is not set: the openai backend needs an API key in the environment (ft never reads keys from the recipe)',
    );
  }
  const baseURL = backend.base_url ?? env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
  const api = new OpenAI({apiKey, baseURL, maxRetries: SAFE_RETRIES, logLevel: 'off'});
  return {api, where: withoutCredentials(baseURL), azure: false};
}
