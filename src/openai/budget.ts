/** The estimate a budget is checked against (data/checks' OpenAICostEstimate). */
export interface Estimate {
  readonly charged_tokens: number;
  readonly usd: number | null;
}

export type BudgetVerdict =
  | {readonly ok: true}
  | {readonly ok: false; readonly message: string; readonly unknownPrice: boolean};

/**
 * `budget_usd` is a guard: `ft build` starts no job (and uploads nothing) whose estimate exceeds
 * it, nor one whose price ft does not know while a budget is set, unless the user says
 * `--allow-unknown-cost`. `ft plan` shows the same verdict.
 */
export function checkBudget(
  budget: number | undefined,
  model: string,
  estimate: Estimate | undefined,
  allowUnknownCost: boolean,
): BudgetVerdict {
  if (budget === undefined || estimate === undefined) return {ok: true};
  if (estimate.usd === null) {
    if (allowUnknownCost) return {ok: true};
    return {
      ok: false,
      unknownPrice: true,
      message: `budget_usd is $${budget}, but ft does not know ${model}'s training price, so the estimate (${estimate.charged_tokens} charged tokens) has no cost; set backend.price_per_1m_tokens, or pass --allow-unknown-cost`,
    };
  }
  if (estimate.usd > budget) {
    return {
      ok: false,
      unknownPrice: false,
      message: `the estimated cost $${estimate.usd.toFixed(2)} (${estimate.charged_tokens} charged tokens) exceeds budget_usd $${budget}; raise budget_usd (it is not part of the key) or train on less`,
    };
  }
  return {ok: true};
}
