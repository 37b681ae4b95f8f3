import type { Directory, DirectoryProblem } from './model.ts';
import type { ParsedDirectory, RecordLocation } from './yaml-format.ts';

/**
 * Merges parsed files into one directory and lists what no single record shows wrong: an id, country or
 * network object given twice, a contact given twice for one organisation, a reference to an organisation
 * that is neither in the files nor already a manual one, and `serves` on an organisation that is not a link
 * organisation. Pure: the ids of the manual organisations already stored are passed in.
 */
export function checkDirectory(
  files: readonly ParsedDirectory[],
  storedOrganisations: ReadonlySet<string>,
): { directory: Directory; problems: DirectoryProblem[] } {
  const directory: Directory = { organisations: [], nationalCerts: [], desks: [] };
  const problems: DirectoryProblem[] = files.flatMap((file) => file.problems);
  const where = new Map<object, RecordLocation>();
  for (const file of files) {
    const note = (entry: object): void => {
      const at = file.locations.get(entry);
      if (at !== undefined) where.set(entry, at);
    };
    for (const organisation of file.directory.organisations) {
      directory.organisations.push(organisation);
      note(organisation);
      note(organisation.serves);
      organisation.netobjects.forEach(note);
      organisation.contacts.forEach(note);
    }
    for (const cert of file.directory.nationalCerts) {
      directory.nationalCerts.push(cert);
      note(cert);
    }
    for (const desk of file.directory.desks) {
      directory.desks.push(desk);
      note(desk);
    }
  }
  const problem = (entry: object, field: string, reason: string): void => {
    const at = where.get(entry);
    problems.push(
      at === undefined
        ? { file: '?', field, reason }
        : { file: at.file, record: at.record, field: at.field(field), reason },
    );
  };
  const firstSeen = (entry: object): string => {
    const at = where.get(entry);
    return at === undefined ? '' : ` (first in ${at.file}: ${at.record})`;
  };

  const organisations = new Map<string, object>();
  const netobjects = new Map<string, object>();
  for (const organisation of directory.organisations) {
    const earlier = organisations.get(organisation.id);
    if (earlier !== undefined)
      problem(organisation, 'id', `organisation ${organisation.id} is given twice${firstSeen(earlier)}`);
    else organisations.set(organisation.id, organisation);
    for (const netobject of organisation.netobjects) {
      const key = `${netobject.kind} ${netobject.value}`;
      const other = netobjects.get(key);
      // A value has one manual owner: who receives a warning must not depend on the order of the file.
      if (other !== undefined)
        problem(netobject, netobject.kind, `${netobject.value} is given twice${firstSeen(other)}`);
      else netobjects.set(key, netobject);
    }
    const emails = new Set<string>();
    for (const contact of organisation.contacts) {
      const key = contact.email.toLowerCase();
      if (emails.has(key))
        problem(contact, 'email', `${contact.email} is given twice for ${organisation.id}`);
      emails.add(key);
    }
  }
  const known = (id: string): boolean => organisations.has(id) || storedOrganisations.has(id);
  for (const organisation of directory.organisations) {
    const { serves } = organisation;
    if (
      serves.organisations.length + serves.sectors.length > 0 &&
      organisation.constituency !== 'link-organisation'
    )
      problem(serves, '', 'only a link organisation (constituency link-organisation) serves others');
    serves.organisations.forEach((id, index) => {
      if (!known(id)) problem(serves, `organisations[${index}]`, `no organisation ${id}`);
      if (id === organisation.id)
        problem(serves, `organisations[${index}]`, 'an organisation cannot serve itself');
    });
  }
  const countries = new Map<string, object>();
  for (const cert of directory.nationalCerts) {
    const earlier = countries.get(cert.country);
    if (earlier !== undefined)
      problem(cert, 'country', `${cert.country} is given twice${firstSeen(earlier)}`);
    else countries.set(cert.country, cert);
    if (!known(cert.organisation)) problem(cert, 'organisation', `no organisation ${cert.organisation}`);
  }
  const desks = new Map<string, object>();
  for (const desk of directory.desks) {
    const earlier = desks.get(desk.id);
    if (earlier !== undefined) problem(desk, 'id', `desk ${desk.id} is given twice${firstSeen(earlier)}`);
    else desks.set(desk.id, desk);
  }
  return { directory, problems };
}
