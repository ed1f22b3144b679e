// Integration: the object key of a storage event is decoded by the event parser, so an
// upload whose key the platform URL-encodes (Cyrillic file names) is still ingested.
import { describe, expect, test } from 'vitest';
import { ingestHandler } from '../../../../functions/ingest/handler.ts';
import { ObjectStorageEvent } from '../../../../shared/runtime/yandex-events.ts';
import { schoolsCsv } from '../../../support/builders.ts';
import { functionContext, storageEvent } from '../../../support/events.ts';
import { startIngestEnv } from '../../../support/ingest-env.ts';
import { TEST_BUCKET } from '../../../support/s3.ts';

const CSV = schoolsCsv();

describe('the object key of a storage event', () => {
  test('the parser gives the raw id and its decoded form', () => {
    const event = ObjectStorageEvent.parse(storageEvent(TEST_BUCKET, [encodeURIComponent('uploads/26/ОО 1.csv').replace(/%2F/g, '/')]));
    expect(event.messages[0]?.keys).toEqual(['uploads/26/%D0%9E%D0%9E%201.csv', 'uploads/26/ОО 1.csv']);
    expect(ObjectStorageEvent.parse(storageEvent(TEST_BUCKET, ['uploads/26/a.csv'])).messages[0]?.keys).toEqual(['uploads/26/a.csv']);
  });

  test('an upload named by its URL-encoded key is ingested under its real key', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/ОО неделя.csv';
    await env.upload(key, CSV);
    const reply = await ingestHandler(storageEvent(TEST_BUCKET, [encodeURIComponent(key).replace(/%2F/g, '/')]), functionContext(), env.deps());
    expect(JSON.parse(reply.body)).toEqual([expect.objectContaining({ kind: 'ingested', key, status: 'accepted' })]);
  });
});
