import { describeCondition } from './conditions.ts';
import { describeEffects, type Framework } from './framework.ts';
import type { Text } from './model.ts';

/** The framework as the published page shows it: each rule's condition and effects in words. */
export interface FrameworkView {
  version: string;
  title: Text;
  principle: Text;
  changelog: { version: string; date: string; changes: string[] }[];
  rules: { id: string; title: Text; explanation: Text; effects: string[] }[];
}

export function frameworkView(framework: Framework): FrameworkView {
  return {
    version: framework.version,
    title: framework.title,
    principle: framework.principle,
    changelog: framework.changelog,
    rules: framework.rules.map((rule) => ({
      id: rule.id,
      title: rule.title,
      explanation: rule.explanation,
      effects: [`when ${describeCondition(rule.when)}`, ...describeEffects(rule.then)],
    })),
  };
}
