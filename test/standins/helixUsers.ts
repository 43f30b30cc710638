/**
 * Stand-in for Twitch's Helix `GET /helix/users?login=…` on 127.0.0.1, with Twitch's checks: a user
 * or app token (`Authorization: Bearer`) and the `Client-Id` it was issued to, else 401 with
 * Twitch's messages; up to 100 logins; unknown logins are simply absent from `data`.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HelixUsersStandinOptions {
  /** token → the client id it belongs to. */
  tokens: Record<string, string>;
  users: { login: string; id: string; displayName?: string }[];
}

export interface HelixUsersStandin {
  /** `http://127.0.0.1:<port>/helix`: give it as TWITCH_API_URL. */
  readonly url: string;
  readonly requests: { path: string; status: number }[];
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return status;
}

export async function startHelixUsersStandin(opts: HelixUsersStandinOptions): Promise<HelixUsersStandin> {
  const requests: { path: string; status: number }[] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const rec = { path: u.pathname, status: 0 };
    requests.push(rec);
    rec.status = (() => {
      if (req.method !== 'GET' || u.pathname !== '/helix/users') return json(res, 404, { error: 'Not Found', status: 404, message: '' });
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer) return json(res, 401, { error: 'Unauthorized', status: 401, message: 'OAuth token is missing' });
      const clientId = req.headers['client-id'];
      if (!clientId) return json(res, 401, { error: 'Unauthorized', status: 401, message: 'Client ID is missing' });
      const owner = opts.tokens[bearer];
      if (!owner) return json(res, 401, { error: 'Unauthorized', status: 401, message: 'Invalid OAuth token' });
      if (owner !== clientId) return json(res, 401, { error: 'Unauthorized', status: 401, message: 'Client ID and OAuth token do not match' });
      const logins = u.searchParams.getAll('login').map((l) => l.toLowerCase());
      if (logins.length > 100) return json(res, 400, { error: 'Bad Request', status: 400, message: 'The sum of id and login parameters exceeds the maximum of 100' });
      const data = opts.users
        .filter((x) => logins.includes(x.login))
        .map((x) => ({
          id: x.id,
          login: x.login,
          display_name: x.displayName ?? x.login,
          type: '',
          broadcaster_type: 'affiliate',
          description: '',
          profile_image_url: '',
          offline_image_url: '',
          view_count: 0,
          created_at: '2020-01-01T00:00:00Z',
        }));
      return json(res, 200, { data });
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/helix`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
