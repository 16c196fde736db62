// Every error the HTTP layer answers with comes from the catalogue (src/errors.ts): the body is always
// { code, message, messageZh, requestId } (plus `fields` for bad input). Bad input of any shape — a zod
// failure, a Fastify schema failure, malformed JSON, a bad URL, a garbled request line — is a 4xx that
// says what is wrong; only a fault of ours is a 500, and its body says nothing about the fault (the log
// has it, under the request id the body gives).
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import { z } from 'zod';
import { AppError, ErrorCodes, isAppError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { parsePeriod, PeriodError } from '../rules/lang/period.ts';

interface ErrorBody {
  code: ErrorCode;
  message: string;
  messageZh: string;
  requestId: string;
  /** For BAD_REQUEST: the fields that are wrong, as paths ("period", "draftFiles.0.text", "(body)"). */
  fields?: string[];
}

/** A zod failure as BAD_REQUEST naming each field: `where: path: problem; ...`. */
function badRequestFromZod(error: z.ZodError, where: string): AppError {
  const fields = error.issues.map((i) => i.path.map(String).join('.') || '(body)');
  const problems = error.issues.map((i, n) => `${fields[n]}: ${i.message}`);
  return new AppError('BAD_REQUEST', `${where}: ${problems.join('; ')}`, { fields: [...new Set(fields)] });
}

/** Validates a request part against a zod schema, or throws BAD_REQUEST naming the fields. */
/**
 * A period in a request: the shape says year or month; whether it is a real one ("2024-13" is not) is
 * the policy language's own period parser, so the edge and the core never disagree on what a period is.
 */
export const PeriodParam = z
  .string()
  .regex(/^\d{4}(-\d{2})?$/, 'write a year (2024) or a month (2025-03)')
  .superRefine((text, ctx) => {
    try {
      parsePeriod(text);
    } catch (error) {
      if (!(error instanceof PeriodError)) throw error;
      ctx.addIssue({ code: 'custom', message: `${error.message}; write a year (2024) or a month 01-12 (2025-03)` });
    }
  });

export function parseRequest<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequestFromZod(result.error, where);
  return result.data;
}

const FASTIFY_CODES: Record<string, (error: FastifyError) => AppError> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => new AppError('BAD_REQUEST', 'The request body is not valid JSON; send one JSON object.', { fields: ['(body)'] }),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new AppError('BAD_REQUEST', 'The request body is empty but Content-Type is application/json; send a JSON object, or no Content-Type.', { fields: ['(body)'] }),
  FST_ERR_CTP_BODY_TOO_LARGE: () => new AppError('PAYLOAD_TOO_LARGE', 'The request body is larger than this service accepts; split it.'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new AppError('UNSUPPORTED_MEDIA_TYPE', 'This Content-Type is not accepted; send application/json.'),
  FST_ERR_BAD_URL: () => new AppError('BAD_REQUEST', 'The URL is not valid (malformed percent-encoding); correct the address.', { fields: ['(url)'] }),
  FST_ERR_MAX_PARAM_LENGTH: () => new AppError('BAD_REQUEST', 'A URL parameter is too long; correct the address.', { fields: ['(url)'] }),
};

/** What an error thrown anywhere in a request means to the client; undefined for our own faults. */
function clientErrorOf(error: unknown): AppError | undefined {
  if (isAppError(error)) return error;
  if (error instanceof z.ZodError) return badRequestFromZod(error, 'request');
  const fastify = error as Partial<FastifyError>;
  if (Array.isArray(fastify.validation)) {
    const fields = fastify.validation.map((v) => `${fastify.validationContext ?? 'request'}${v.instancePath.replaceAll('/', '.')}`);
    return new AppError('BAD_REQUEST', `${fastify.validationContext ?? 'request'}: ${fastify.validation.map((v, n) => `${fields[n]}: ${v.message}`).join('; ')}`, { fields });
  }
  const known = typeof fastify.code === 'string' ? FASTIFY_CODES[fastify.code] : undefined;
  if (known) return known(fastify as FastifyError);
  const status = typeof fastify.statusCode === 'number' ? fastify.statusCode : 500;
  if (status === 404) return new AppError('NOT_FOUND', 'Nothing is at this address.');
  // Any other client error Fastify raises is still bad input; its own message says which.
  if (status >= 400 && status < 500) return new AppError('BAD_REQUEST', typeof fastify.message === 'string' ? fastify.message : 'The request is malformed.');
  return undefined;
}

function body(error: AppError, requestId: string): ErrorBody {
  const fields = Array.isArray(error.details?.fields) ? (error.details.fields as string[]) : undefined;
  const messageZh = fields?.length ? `${error.messageZh}（有误的字段：${fields.join('、')}）` : error.messageZh;
  return fields ? { code: error.code, message: error.message, messageZh, requestId, fields } : { code: error.code, message: error.message, messageZh, requestId };
}

function internalBody(requestId: string): ErrorBody {
  return {
    code: 'INTERNAL',
    message: `Internal server error; nothing in this request was at fault. Quote request id ${requestId} to the administrator.`,
    messageZh: `${ErrorCodes.INTERNAL.zh}（请求编号：${requestId}）`,
    requestId,
  };
}

function replyWithError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = clientErrorOf(error);
  if (known && known.status < 500) return reply.status(known.status).send(body(known, request.id));
  // Ours: the log gets the error and its stack, under the request id; the client gets the id only.
  request.log.error({ err: error }, 'request failed');
  if (known) return reply.status(known.status).send(body(known, request.id));
  return reply.status(500).send(internalBody(request.id));
}

/** A request Node could not even parse (garbled request line, oversized headers, timeout): no route, no request id. */
function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, status, message]: [ErrorCode, number, string] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ['REQUEST_TIMEOUT', 408, 'The request was not received in time; send it again.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? ['HEADERS_TOO_LARGE', 431, 'The request headers are larger than this service accepts; send fewer or shorter headers.']
        : ['BAD_REQUEST', 400, 'The request is not valid HTTP; check the client.'];
  const text = JSON.stringify({ code, message, messageZh: ErrorCodes[code].zh, requestId: '' } satisfies ErrorBody);
  this.log.debug({ err: error }, 'client error');
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${text}`);
  }
  socket.destroy(error);
}

/** Fastify options that route the framework's own errors (bad URL, unparsable request) through the catalogue. */
export const catalogueServerOptions = {
  frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => replyWithError(error, request, reply),
  clientErrorHandler,
};

/** Installs the error and not-found handlers on an application (whatever its logger type). */
export function installErrorReplies(app: FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>): void {
  app.setErrorHandler((error, request, reply) => replyWithError(error, request, reply));
  app.setNotFoundHandler((request, reply) => replyWithError(new AppError('NOT_FOUND', `No ${request.method} route at this address; check the address.`), request, reply));
}
