export {
  assessmentInput,
  loadEventContexts,
  loadEventPage,
  processStoredEvents,
  type EventContext,
  type PipelineDeps,
  type ProcessResult,
} from './process-events.ts';
export { assessAndRouteAfterReport, createEnricher, createReportProcessor } from './report-pipeline.ts';
export { parseInWorker, smallReportBytes, type ParseWorkerOptions } from './parse-in-worker.ts';
