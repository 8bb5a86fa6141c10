/**
 * Writes the project's copy of the archive Q-scores (analyzers/data/emdb-qscores.csv.gz) from the
 * shared fixture ../shared/fixtures/archive/emdb-qscores.csv (MapQ's EMDB table, see its
 * PROVENANCE.md): the columns emdb_id, resolution, q only, rows as in the source, gzip.
 * Deployments have no shared fixtures; the analyzer reads only the copy
 * (analyzers/methods/q-relative.ts), and q-relative.test.ts checks that it still equals the fixture.
 *
 * usage: npx node scripts/data/qscore-archive.ts [SOURCE.csv]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ARCHIVE_Q_FILE, archiveQFromSource } from '../../analyzers/methods/q-relative.ts';
import { projectRoot } from '../../analyzers/testing/fixtures.ts';

const source = process.argv[2] ?? path.resolve(projectRoot, '../shared/fixtures/archive/emdb-qscores.csv');
const csv = archiveQFromSource(readFileSync(source, 'utf8'));
// Level 9 and no file name or time in the header: the same source gives the same bytes.
writeFileSync(ARCHIVE_Q_FILE, gzipSync(csv, { level: 9 }));
console.log(`${ARCHIVE_Q_FILE}: ${csv.split('\n').length - 2} entries from ${source}`);
