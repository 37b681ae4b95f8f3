export {
  classificationChoices,
  damageQuestions,
  damageScale,
  languages,
  likelihoodQuestions,
  likelihoodScale,
  limits,
  requestableTlps,
  taxonomyLabels,
  trackingIdPattern,
  type Attachment,
  type DamageAnswer,
  type Language,
  type ResearcherReportInput,
  type Target,
} from './model.ts';
export {
  allowedExtensions,
  checkAttachment,
  inspectZip,
  neutraliseFileName,
  sniffKind,
} from './attachments.ts';
export {
  parseObservedAt,
  parseTargets,
  textOf,
  validateReportForm,
  type FieldErrors,
  type FormFields,
  type Text,
  type Validation,
} from './validate.ts';
export { researcherReportEvents, researcherReportJsonLines } from './events.ts';
export {
  acknowledgementSubject,
  statusPath,
  submitResearcherReport,
  type ReportingDeps,
  type SubmittedReport,
} from './submit-report.ts';
export {
  addAnalystMessage,
  addReporterMessage,
  findReportByStatusToken,
  researcherReportStatus,
  stageOf,
  type ReportStage,
  type ResearcherReportStatus,
} from './report-status.ts';
export {
  findByTrackingId,
  forgetReporters,
  listReportMessages,
  listResearcherReports,
  type ReportMessage,
  type ReportProgress,
  type ResearcherReport,
  type ResearcherReportSummary,
} from './researcher-reports.repo.ts';
export { checkSubmissionRate, recordSubmission, type RateDecision } from './rate-limit.ts';
export { createCsrfCookieValue, csrfTokenFor, verifyCsrfToken, addressBucket } from './tokens.ts';
