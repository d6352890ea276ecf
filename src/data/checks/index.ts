/**
 * Per-target checks of a training file for `ft plan`: the OpenAI cookbook's format checks and
 * statistics (SPEC.md section 3) without its false alarms, plus the cost estimate. Streaming:
 * feed parsed JSONL lines to a DatasetReportBuilder, then call estimateOpenAI.
 */

export type {Contamination, HeldOutSplit} from './contamination.js';
export {SplitOverlap} from './contamination.js';
export type {Conversation} from './conversation.js';
export type {OpenAICostEstimate} from './estimate.js';
export {defaultEpochs, estimateOpenAI} from './estimate.js';
export type {FormatCheckName} from './format-checks.js';
export {checkExample, FORMAT_CHECKS, FormatErrors} from './format-checks.js';
export {GrowableUint32Array} from './growable-array.js';
export type {ModelInfo} from './models.js';
export {openAIModelInfo} from './models.js';
export type {Distribution} from './quantile.js';
export {distribution, median, quantile} from './quantile.js';
export type {DataShapes, DatasetReport} from './report.js';
export {DatasetReportBuilder} from './report.js';
export type {DatasetStatistics} from './statistics.js';
export {ConversationStatistics} from './statistics.js';
