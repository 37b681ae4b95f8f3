import pg from 'pg';

/**
 * Runs `fn` with the URL of a database of its own on the server of `databaseUrl`, created here and dropped
 * afterwards: a benchmark never touches existing data.
 */
export async function withScratchDatabase<T>(
  databaseUrl: string,
  prefix: string,
  fn: (url: string) => Promise<T>,
): Promise<T> {
  const name = `${prefix}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  try {
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
