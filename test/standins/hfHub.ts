/**
 * Hugging Face Hub stand-in: the file-resolve endpoint transformers.js downloads models from
 * (`GET|HEAD /{org}/{repo}/resolve/{revision}/{path}`), with the hub's answers for what is
 * missing, on 127.0.0.1. Knobs: which repos/files exist, a hub that accepts connections but
 * never answers (a black-holed network), a delay, and a transfer that stalls part-way until the
 * test lets it go on (`holdAfter`, `release()`): a slow network whose pace the test decides.
 *
 * The hub's answers (as `huggingface_hub` documents them): a missing repo is 401 with
 * `X-Error-Code: RepoNotFound` (it does not say whether a private repo exists); a missing file in
 * an existing repo is 404 with `X-Error-Code: EntryNotFound`; a file is 200 with its length.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HfHubStandinOptions {
  /** repo id (`org/name`) → file path → content. */
  repos?: Record<string, Record<string, string | Buffer>>;
  /** Accept connections and never answer. */
  hang?: boolean;
  delayMs?: number;
  /** Send this many bytes of a larger file, then stall until `release()`. */
  holdAfter?: number;
}

export interface HfHubStandin {
  readonly url: string;
  hang: boolean;
  delayMs: number;
  readonly requests: Array<{ method: string; path: string }>;
  /** A held transfer goes on (and later ones are no longer held). */
  release(): void;
  close(): Promise<void>;
}

export async function startHfHubStandin(opts: HfHubStandinOptions = {}): Promise<HfHubStandin> {
  const repos = opts.repos ?? {};
  const requests: HfHubStandin['requests'] = [];
  let released = false;
  const held: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    requests.push({ method: req.method ?? 'GET', path });
    if (s.hang) return; // the socket stays open, nothing comes back
    const answer = () => {
      if (path === '/' || path === '') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(req.method === 'HEAD' ? undefined : '<!doctype html><title>Hugging Face</title>');
        return;
      }
      const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
      if (!m) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not Found');
        return;
      }
      const [, repo, , file] = m;
      const files = repos[repo!];
      if (!files) {
        const body = JSON.stringify({ error: 'Repository not found' });
        res.writeHead(401, { 'content-type': 'application/json', 'x-error-code': 'RepoNotFound', 'x-error-message': 'Repository not found' });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      const content = files[file!];
      if (content === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain', 'x-error-code': 'EntryNotFound', 'x-error-message': 'Entry not found' });
        res.end(req.method === 'HEAD' ? undefined : 'Entry not found');
        return;
      }
      const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': buf.length, etag: `"${buf.length}"` });
      const holdAt = opts.holdAfter;
      if (req.method === 'HEAD' || holdAt === undefined || released || buf.length <= holdAt) return void res.end(req.method === 'HEAD' ? undefined : buf);
      res.write(buf.subarray(0, holdAt));
      held.push(() => res.end(buf.subarray(holdAt)));
    };
    if (s.delayMs > 0) setTimeout(answer, s.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const s: HfHubStandin = {
    url: `http://127.0.0.1:${port}`,
    hang: opts.hang ?? false,
    delayMs: opts.delayMs ?? 0,
    requests,
    release() {
      released = true;
      for (const go of held.splice(0)) go();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return s;
}

/**
 * The files transformers.js fetches for all-MiniLM-L6-v2, with a model file of `modelBytes` bytes
 * that is not a valid ONNX graph (no real weights can be fetched here): the download runs for real,
 * then loading the model fails.
 */
export function fakeMiniLmRepo(modelBytes = 3_000_000): Record<string, Record<string, string | Buffer>> {
  return {
    'Xenova/all-MiniLM-L6-v2': {
      'config.json': JSON.stringify({ model_type: 'bert', hidden_size: 384, num_attention_heads: 12, num_hidden_layers: 6, vocab_size: 30522 }),
      'tokenizer_config.json': JSON.stringify({ tokenizer_class: 'BertTokenizer', do_lower_case: true }),
      'tokenizer.json': JSON.stringify({
        version: '1.0',
        truncation: null,
        padding: null,
        added_tokens: [],
        normalizer: null,
        pre_tokenizer: { type: 'Whitespace' },
        post_processor: null,
        decoder: null,
        model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: { '[UNK]': 0, hello: 1 } },
      }),
      'onnx/model_quantized.onnx': Buffer.alloc(modelBytes, 7),
    },
  };
}
