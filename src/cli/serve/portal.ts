import type { Config } from '../../config';
import { parseAddress } from '../../config';
import type { Directory } from '../../directory/directory';
import type { Logger } from '../../log';
import type { Portal } from '../../web/portal';
import type { TlsMaterial } from '../../wire/tls';

/** The portal on portal.listen (none: off), with Cairn's certificate; and the URL people reach it at. */
export async function startPortalIfOn(
  config: Config,
  o: { directory: Directory; log: Logger; tls?: TlsMaterial },
): Promise<{ portal: Portal; url: string } | undefined> {
  if (config.portal.listen === 'none') return undefined;
  if (!o.tls)
    throw new Error(
      'portal.listen is set but there is no TLS certificate: the portal is HTTPS only (set server.tlsCert and server.tlsKey, or portal.listen "none")',
    );
  const { startPortal } = await import('../../web/portal');
  const portal = await startPortal({ directory: o.directory, config, log: o.log, tls: o.tls.options }, parseAddress(config.portal.listen));
  return { portal, url: portal.url };
}
