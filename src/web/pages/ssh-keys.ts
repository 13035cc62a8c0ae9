import type { FastifyInstance } from 'fastify';
import { LdapError } from '../../directory/errors';
import { addSshKey, removeSshKey, sshKeysOf, type SshKeyListing } from '../../directory/ssh-keys';
import { html } from '../html';
import { itemTable } from '../table';
import { page, type Notice } from '../layout';
import { csrfChecked, navFor, type PortalDeps, type RequestSession, requireSession, sendPage } from '../session';

interface AddForm {
  key?: string;
  label?: string;
}

interface RemoveForm {
  fingerprint?: string;
}

export const keyTable = (keys: SshKeyListing[], removeWith?: string) =>
  itemTable(
    keys,
    'No SSH keys yet.',
    [html`Label`, html`Type`, html`Fingerprint`],
    (k) => [html`${k.label || '—'}`, html`${k.type}${k.bits ? ` (${k.bits} bits)` : ''}`, html`<code>${k.fingerprint}</code>`],
    removeWith === undefined
      ? undefined
      : {
          csrf: removeWith,
          action: '/ssh-keys/remove',
          field: 'fingerprint',
          value: (k) => k.fingerprint,
          label: 'Remove',
          ariaLabel: (k) => `Remove the key ${k.label || k.fingerprint}`,
        },
  );

async function keysPage(deps: PortalDeps, s: RequestSession, csrf: string, notice?: Notice, form: AddForm = {}): Promise<string> {
  const keys = await sshKeysOf(deps.directory, s.session.identity, s.session.identity.dn);
  const body = html`<p>The keys that let you log in with SSH to the company's servers (sshd reads them from the directory through sssd).</p>
    ${keyTable(keys, csrf)}
    <h2 id="add-key">Add a key</h2>
    <form method="post" action="/ssh-keys/add" class="stack" aria-labelledby="add-key">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <label for="key">Public key <span class="hint">(the one line of your .pub file, for example ~/.ssh/id_ed25519.pub)</span></label>
      <textarea id="key" name="key" rows="4" required spellcheck="false" autocapitalize="none">${form.key ?? ''}</textarea>
      <label for="label">Label <span class="hint">(which computer it is on; the key's own comment if left empty)</span></label>
      <input id="label" name="label" type="text" maxlength="100" autocomplete="off" value="${form.label ?? ''}" />
      <button type="submit">Add key</button>
    </form>`;
  return page({ title: 'SSH keys', body, notice, nav: navFor(deps, s, csrf) });
}

export function registerSshKeys(app: FastifyInstance, deps: PortalDeps): void {
  app.get('/ssh-keys', async (req, reply) => {
    const s = requireSession(deps, req, reply);
    if (!s) return reply;
    return sendPage(reply, await keysPage(deps, s, reply.generateCsrf()));
  });

  app.post<{ Body: AddForm }>('/ssh-keys/add', csrfChecked(app), async (req, reply) => {
    const s = requireSession(deps, req, reply);
    if (!s) return reply;
    try {
      const added = await addSshKey(deps.directory, s.session.identity, s.session.identity.dn, req.body.key ?? '', req.body.label ?? '');
      return sendPage(reply, await keysPage(deps, s, reply.generateCsrf(), { kind: 'ok', text: `Key added: ${added.fingerprint}.` }));
    } catch (err) {
      if (!(err instanceof LdapError)) throw err;
      return sendPage(reply, await keysPage(deps, s, reply.generateCsrf(), { kind: 'error', text: `Not added: ${err.message}.` }, req.body), 400);
    }
  });

  app.post<{ Body: RemoveForm }>('/ssh-keys/remove', csrfChecked(app), async (req, reply) => {
    const s = requireSession(deps, req, reply);
    if (!s) return reply;
    try {
      const removed = await removeSshKey(deps.directory, s.session.identity, s.session.identity.dn, req.body.fingerprint ?? '');
      return sendPage(reply, await keysPage(deps, s, reply.generateCsrf(), { kind: 'ok', text: `Key removed: ${removed.label || removed.fingerprint}.` }));
    } catch (err) {
      if (!(err instanceof LdapError)) throw err;
      return sendPage(reply, await keysPage(deps, s, reply.generateCsrf(), { kind: 'error', text: `Not removed: ${err.message}.` }), 400);
    }
  });
}
