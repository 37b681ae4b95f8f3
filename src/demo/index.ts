export {
  defaultDemoDir,
  demoFeeds,
  demoOperatorsSource,
  demoSource,
  issueDemoAdminKey,
  loadDemo,
  type DemoDeps,
  type DemoReport,
  type DemoResult,
} from './demo.ts';
export { demoTokenPath, isDemoToken, readDemoToken, writeDemoToken } from './token.ts';
