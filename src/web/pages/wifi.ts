import type { FastifyInstance } from 'fastify';
import type { DeviceCredential } from '../../directory/accounts/devices';
import { refusedText as refused } from '../refused';
import { html } from '../html';
import { itemTable } from '../table';
import { page, type Notice } from '../layout';
import { csrfChecked, navFor, type PortalDeps, type RequestSession, requireSession, sendPage } from '../session';

interface DeviceForm {
  device?: string;
  name?: string;
}

const when = (ms?: number) => (ms === undefined ? '—' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

/** A person's Wi-Fi credentials; with `revokeWith` (a CSRF token) each row has its Revoke button. */
export const devicesTable = (devices: DeviceCredential[], revokeWith?: string) =>
  itemTable(
    devices,
    'No Wi-Fi devices.',
    [html`User name`, html`Made`, html`Last used <span class="hint">(EAP-TTLS)</span>`],
    (d) => [html`<code>${d.name}</code>`, html`${when(d.createdAt)} UTC`, html`${d.lastUsedAt === undefined ? '—' : `${when(d.lastUsedAt)} UTC`}`],
    revokeWith === undefined
      ? undefined
      : { csrf: revokeWith, action: '/wifi/revoke', field: 'name', value: (d) => d.name, label: 'Revoke', ariaLabel: (d) => `Revoke ${d.name}` },
  );

async function wifiPage(deps: PortalDeps, s: RequestSession, csrf: string, notice?: Notice, made?: { name: string; password: string }): Promise<string> {
  const devices = await deps.directory.accounts.wifiCredentials(s.session.identity.dn);
  const body = html`<p>
      Each phone, tablet or laptop joins the company Wi-Fi with a user name and password of its own, made here: not your password, and no code from your app.
      Choose PEAP (or "protected EAP") with MSCHAPv2 where the device asks, which is the default on most. If a device is lost, revoke it here.
    </p>
    ${
      made
        ? html`<section aria-labelledby="made" class="notice ok">
            <h2 id="made">Type these into the device now</h2>
            <dl>
              <dt>User name</dt>
              <dd><code>${made.name}</code></dd>
              <dt>Password</dt>
              <dd><code class="secret">${made.password}</code></dd>
            </dl>
            <p>The password is shown only now.</p>
          </section>`
        : ''
    }
    ${devicesTable(devices, csrf)}
    <h2 id="add-device">Add a device</h2>
    <form method="post" action="/wifi/add" class="stack" aria-labelledby="add-device">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <label for="device">Device name <span class="hint">(lower-case letters, digits and "-", for example phone or work-laptop)</span></label>
      <input id="device" name="device" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="24" required />
      <button type="submit">Make a Wi-Fi password</button>
    </form>`;
  return page({ title: 'Wi-Fi', body, notice, nav: navFor(deps, s, csrf) });
}

export function registerWifi(app: FastifyInstance, deps: PortalDeps): void {
  const accounts = deps.directory.accounts;

  app.get('/wifi', async (req, reply) => {
    const s = requireSession(deps, req, reply);
    if (!s) return reply;
    return sendPage(reply, await wifiPage(deps, s, reply.generateCsrf()));
  });

  app.post<{ Body: DeviceForm }>('/wifi/add', csrfChecked(app), async (req, reply) => {
    const s = requireSession(deps, req, reply);
    if (!s) return reply;
    try {
      const made = await accounts.addWifiCredential(s.session.identity, s.session.identity.dn, req.body.device ?? '');
      return sendPage(reply, await wifiPage(deps, s, reply.generateCsrf(), undefined, made));
    } catch (err) {
      return sendPage(reply, await wifiPage(deps, s, reply.generateCsrf(), { kind: 'error', text: `Not made: ${refused(err)}.` }), 400);
    }
  });

  app.post<{ Body: DeviceForm }>('/wifi/revoke', csrfChecked(app), async (req, reply) => {
    const s = requireSession(deps, req, reply);
    if (!s) return reply;
    try {
      await accounts.revokeWifiCredentials(s.session.identity, s.session.identity.dn, req.body.name ?? '');
      return sendPage(reply, await wifiPage(deps, s, reply.generateCsrf(), { kind: 'ok', text: `Revoked ${req.body.name}: it can no longer join the Wi-Fi.` }));
    } catch (err) {
      return sendPage(reply, await wifiPage(deps, s, reply.generateCsrf(), { kind: 'error', text: `Not revoked: ${refused(err)}.` }), 400);
    }
  });
}
