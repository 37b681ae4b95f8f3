export { loadIpTable, IpTable, type IpInfo, type IpTableStats, type LoadIpTableOptions } from './ip-table.ts';
export { enrichEvent, type IpLookup } from './enrich-event.ts';
