export {
  decisions,
  higherSeverity,
  narrowestPap,
  papLevels,
  reliabilities,
  severities,
  strongerDecision,
  type Credibility,
  type Decision,
  type Pap,
  type Reliability,
  type Severity,
  type Text,
} from './model.ts';
export {
  compileCondition,
  conditionSchema,
  describeCondition,
  type Condition,
  type Matcher,
} from './conditions.ts';
export { scoreCvss, cvssSeverity, type CvssScore, type CvssVersion } from './cvss.ts';
export {
  contextFacts,
  inputFacts,
  damageLevel,
  isFactName,
  likelihoodLevel,
  likelihoodSum,
  personalDataKinds,
  type AssessmentInput,
  type ImpactAnswer,
} from './facts.ts';
export {
  describeEffects,
  loadFramework,
  parseFramework,
  type Framework,
  type Rule,
  type RuleEffects,
} from './framework.ts';
export { frameworkView, type FrameworkView } from './view.ts';
export { assess, defaultsRuleId, type AssessmentReason, type AssessmentResult } from './assess.ts';
export {
  minimumSample,
  minimumSampleForA,
  proposeReliability,
  type ReliabilityProposal,
  type TrackRecord,
} from './source-profile.ts';
export {
  assessmentHistory,
  changeSourceReliability,
  currentDecisions,
  decideReview,
  listReviewQueue,
  overrideAssessment,
  recordFrameworkVersion,
  sourceTrackRecord,
  storeFrameworkAssessments,
  type AssessmentRecord,
  type Outcome,
  type Override,
  type ReviewItem,
  type StoredAssessment,
  type StoredReason,
} from './assessments.repo.ts';
