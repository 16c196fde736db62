// Staff API of the policy library: the catalogue filtered by the tag taxonomy, a document with its
// stored text and each rule's quote (文本库), the taxonomy itself, and the editor aids — a draft checked
// as the library would check it, and a point skeleton from a marked-up paragraph.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { catalogue, documentDetail } from '../policies/document-store.ts';
import { checkDraft } from '../policies/draft-check.ts';
import { latestLibraryHash, libraryFiles } from '../policies/library-registry.ts';
import { generateSkeleton } from '../policies/skeleton-generator.ts';
import { standardTaxonomy, TAG_DIMENSIONS } from '../policies/taxonomy.ts';
import { parseRequest as parse } from './error-replies.ts';

const tagFilter = z.string().trim().min(1).max(100).optional();
const CatalogueQuery = z
  .object({ level: z.enum(['national', 'provincial', 'city', 'district']).optional(), q: z.string().trim().max(200).optional(), 行业: tagFilter, 规模: tagFilter, 区域: tagFilter, 主题: tagFilter, 兑现方式: tagFilter, 对象: tagFilter })
  .strict();
const DocParams = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a document id').max(200) });
const CheckBody = z.object({ file: z.string().min(1).max(500), text: z.string().min(1).max(2_000_000), documentText: z.string().max(2_000_000).optional() }).strict();
const SkeletonBody = z
  .object({ paragraph: z.string().min(1).max(20_000), pointId: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a point id of lower-case letters, digits and dashes').max(100), name: z.string().trim().min(1).max(200), subject: z.enum(['enterprise', 'person']), article: z.string().trim().min(1).max(100) })
  .strict();

// Added to the staff plugin (staff-routes.ts), inside its session hook.
export function libraryRoutes(staff: FastifyInstance, deps: { db: Database; clock: Clock }): void {
  staff.get('/library', { config: { permission: 'policy.read' } }, async (request) => {
    const query = parse(CatalogueQuery, request.query, 'query');
    const tags = Object.fromEntries(TAG_DIMENSIONS.flatMap((d) => (query[d] ? [[d, query[d]]] : [])));
    return catalogue(deps.db.orm, { level: query.level, q: query.q, tags });
  });

  staff.get('/documents/:id', { config: { permission: 'policy.read' } }, async (request) => {
    const { id } = parse(DocParams, request.params, 'document id');
    return documentDetail(deps.db.orm, id);
  });

  staff.get('/taxonomy', { config: { permission: 'policy.read' } }, () => {
    const t = standardTaxonomy();
    return { dimensions: TAG_DIMENSIONS.map((d) => ({ name: d, zh: t.dimensions[d].zh, values: t.dimensions[d].values.map((v) => ({ value: v, group: t.dimensions[d].groupOf.get(v) ?? null })) })) };
  });

  staff.post('/policy-check', { config: { permission: 'policy.read' } }, async (request) => {
    const body = parse(CheckBody, request.body, 'policy draft');
    const files = (await libraryFiles(deps.db.orm, await latestLibraryHash(deps.db.orm))) ?? [];
    return checkDraft(files, body);
  });

  staff.post('/policy-skeleton', { config: { permission: 'policy.author' } }, (request) => {
    const body = parse(SkeletonBody, request.body, 'skeleton');
    return generateSkeleton(body);
  });
}
