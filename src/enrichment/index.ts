export {
  loadIpTable,
  sharedIpTableBytes,
  ipTableOfBytes,
  IpTable,
  type IpInfo,
  type IpTableStats,
  type LoadIpTableOptions,
} from './ip-table.ts';
export { enrichmentOf, type IpLookup } from './enrich-event.ts';
