export { loadIpTable, IpTable, type IpInfo, type IpTableStats, type LoadIpTableOptions } from './ip-table.ts';
export { enrichmentOf, type IpLookup } from './enrich-event.ts';
