/**
 * A minimal vSphere SOAP client: just the calls the bridge needs (service content, login, event
 * history collectors, property reads). It speaks HTTP(S) with node:https and parses answers with a
 * real XML parser (./xml.ts). The session cookie is kept and sent back unchanged on every call.
 */
import http from 'node:http';
import https from 'node:https';
import { BridgeError, SoapFaultError } from '../errors.js';
import { child, childText, childrenNamed, escapeXml, parseXml, path } from './xml.js';
import type { XmlElement } from './xml.js';

/** A managed object reference (`<obj type="VirtualMachine">vm-42</obj>`). */
export interface MoRef {
  readonly type: string;
  readonly value: string;
}

/** What the bridge needs from `RetrieveServiceContent`. */
export interface ServiceContent {
  readonly instanceUuid: string;
  readonly apiVersion: string;
  readonly fullName: string;
  readonly rootFolder: MoRef;
  readonly eventManager: MoRef;
  readonly sessionManager: MoRef;
  readonly propertyCollector: MoRef;
}

/** Current hardware of a VM, read through the PropertyCollector. */
export interface VmHardware {
  readonly name: string | undefined;
  readonly cpu: number;
  readonly memoryMB: number;
  /** Sum of the capacity of every virtual disk, in GB (GiB, rounded to 3 decimals). */
  readonly storageGB: number;
}

/** What the PropertyCollector says about a VM: its hardware (when asked for) and its UUIDs. */
export interface VmProperties {
  /** `name` and `config.hardware`; undefined when not asked for. */
  readonly hardware: VmHardware | undefined;
  /** `config.instanceUuid`: unique within one vCenter. */
  readonly instanceUuid: string | undefined;
  /** `config.uuid`: the BIOS (SMBIOS) UUID the guest sees. */
  readonly biosUuid: string | undefined;
}

/** Options of {@link VsphereClient}. */
export interface VsphereClientOptions {
  /** The SDK endpoint, e.g. `https://vc01.example.com/sdk` (credentials in the URL are ignored). */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Accept a self-signed / untrusted TLS certificate. Only when the operator says so. */
  readonly insecure: boolean;
  /** Per-request timeout in ms. */
  readonly requestTimeoutMs: number;
}

/** The filter of `CreateCollectorForEvents`, in WSDL order. */
export interface EventFilter {
  /** Read events created at or after this instant (an xsd:dateTime string, kept at vCenter's precision). */
  readonly beginTime?: string;
  readonly eventTypeId?: readonly string[];
}

const ENVELOPE_START =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const ENVELOPE_END = '</soapenv:Body></soapenv:Envelope>';

function moRefXml(tag: string, ref: MoRef): string {
  return `<${tag} type="${escapeXml(ref.type)}">${escapeXml(ref.value)}</${tag}>`;
}

function readMoRef(el: XmlElement | undefined, what: string): MoRef {
  const value = el?.text.trim();
  const type = el?.attributes.type;
  if (!value || !type)
    throw new BridgeError('BRIDGE_BAD_RESPONSE', `vCenter's service content has no ${what}`);
  return { type, value };
}

/** `config.hardware` → cpu, memory and the total of every virtual disk; undefined when it is missing or unreadable. */
function readHardware(name: string | undefined, hardware: XmlElement | undefined): VmHardware | undefined {
  if (!hardware) return undefined;
  const cpu = Number(childText(hardware, 'numCPU'));
  const memoryMB = Number(childText(hardware, 'memoryMB'));
  let bytes = 0;
  for (const device of childrenNamed(hardware, 'device')) {
    if (device.xsiType !== 'VirtualDisk') continue;
    const inBytes = childText(device, 'capacityInBytes');
    const inKB = childText(device, 'capacityInKB');
    bytes += inBytes !== undefined && Number(inBytes) > 0 ? Number(inBytes) : Number(inKB ?? 0) * 1024;
  }
  if (!Number.isFinite(cpu) || !Number.isFinite(memoryMB)) return undefined;
  return { name, cpu, memoryMB, storageGB: Math.round((bytes / 2 ** 30) * 1000) / 1000 };
}

/** A vSphere SOAP API client for one vCenter. */
export class VsphereClient {
  readonly #endpoint: URL;
  readonly #options: VsphereClientOptions;
  readonly #agent: http.Agent;
  #cookie: string | undefined;
  #soapAction = 'urn:vim25/8.0';
  #content: ServiceContent | undefined;

  constructor(options: VsphereClientOptions) {
    this.#options = options;
    const endpoint = new URL(options.url);
    endpoint.username = '';
    endpoint.password = '';
    this.#endpoint = endpoint;
    this.#agent =
      endpoint.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 4, rejectUnauthorized: !options.insecure })
        : new http.Agent({ keepAlive: true, maxSockets: 4 });
  }

  /** The endpoint without credentials (safe to log and to use as an event `source`). */
  get endpoint(): string {
    return this.#endpoint.toString();
  }

  /** The service content from the last `retrieveServiceContent()`. */
  get content(): ServiceContent | undefined {
    return this.#content;
  }

  /** `RetrieveServiceContent`: the references the other calls need, and the vCenter instance UUID. */
  async retrieveServiceContent(): Promise<ServiceContent> {
    const rv = await this.#call(
      'RetrieveServiceContent',
      '<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>',
    );
    const about = child(rv, 'about');
    const instanceUuid = childText(about, 'instanceUuid');
    if (!instanceUuid)
      throw new BridgeError('BRIDGE_BAD_RESPONSE', 'vCenter did not report about.instanceUuid');
    const apiVersion = childText(about, 'apiVersion') ?? '8.0';
    this.#soapAction = `urn:vim25/${apiVersion}`;
    this.#content = {
      instanceUuid,
      apiVersion,
      fullName: childText(about, 'fullName') ?? '',
      rootFolder: readMoRef(child(rv, 'rootFolder'), 'rootFolder'),
      eventManager: readMoRef(child(rv, 'eventManager'), 'eventManager'),
      sessionManager: readMoRef(child(rv, 'sessionManager'), 'sessionManager'),
      propertyCollector: readMoRef(child(rv, 'propertyCollector'), 'propertyCollector'),
    };
    return this.#content;
  }

  /** `Login` on the SessionManager; keeps the session cookie. */
  async login(): Promise<void> {
    const content = this.#content ?? (await this.retrieveServiceContent());
    this.#cookie = undefined;
    await this.#call(
      'Login',
      `<Login xmlns="urn:vim25">${moRefXml('_this', content.sessionManager)}<userName>${escapeXml(this.#options.username)}</userName><password>${escapeXml(this.#options.password)}</password></Login>`,
    );
    if (this.#cookie === undefined)
      throw new BridgeError('BRIDGE_BAD_RESPONSE', 'vCenter accepted the login but set no session cookie');
  }

  /** `Logout`; errors are ignored (the session may be gone already). */
  async logout(): Promise<void> {
    const content = this.#content;
    if (!content || this.#cookie === undefined) return;
    try {
      await this.#call(
        'Logout',
        `<Logout xmlns="urn:vim25">${moRefXml('_this', content.sessionManager)}</Logout>`,
      );
    } catch {
      // best effort
    }
    this.#cookie = undefined;
  }

  /** `CurrentTime` on the ServiceInstance: vCenter's clock, as it writes it. */
  async currentTime(): Promise<string> {
    const rv = await this.#call(
      'CurrentTime',
      '<CurrentTime xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></CurrentTime>',
    );
    const t = rv?.text.trim();
    if (!t) throw new BridgeError('BRIDGE_BAD_RESPONSE', 'vCenter answered CurrentTime without a time');
    return t;
  }

  /** `CreateCollectorForEvents` over the whole inventory (root folder, recursion all). */
  async createCollectorForEvents(filter: EventFilter): Promise<MoRef> {
    const content = this.#requireContent();
    // Real vCenter is strict about the WSDL order: entity, time, …, eventTypeId, maxCount.
    let spec = `<entity>${moRefXml('entity', content.rootFolder)}<recursion>all</recursion></entity>`;
    if (filter.beginTime) spec += `<time><beginTime>${escapeXml(filter.beginTime)}</beginTime></time>`;
    for (const id of filter.eventTypeId ?? []) spec += `<eventTypeId>${escapeXml(id)}</eventTypeId>`;
    const rv = await this.#call(
      'CreateCollectorForEvents',
      `<CreateCollectorForEvents xmlns="urn:vim25">${moRefXml('_this', content.eventManager)}<filter>${spec}</filter></CreateCollectorForEvents>`,
    );
    return readMoRef(rv, 'collector');
  }

  /** `ReadNextEvents`: up to `maxCount` events after the collector's position, oldest first. */
  async readNextEvents(collector: MoRef, maxCount: number): Promise<XmlElement[]> {
    const body = await this.#callBody(
      'ReadNextEvents',
      `<ReadNextEvents xmlns="urn:vim25">${moRefXml('_this', collector)}<maxCount>${maxCount}</maxCount></ReadNextEvents>`,
    );
    return childrenNamed(child(body, 'ReadNextEventsResponse'), 'returnval');
  }

  /** `DestroyCollector`; errors are ignored (the collector may be gone with its session). */
  async destroyCollector(collector: MoRef): Promise<void> {
    try {
      await this.#call(
        'DestroyCollector',
        `<DestroyCollector xmlns="urn:vim25">${moRefXml('_this', collector)}</DestroyCollector>`,
      );
    } catch {
      // best effort
    }
  }

  /**
   * A VM's UUIDs and, with `hardware: true`, its current hardware (`name`, `config.hardware`), in one
   * `RetrievePropertiesEx`. Undefined when the VM no longer exists (or has no config yet).
   */
  async vmProperties(vm: MoRef, options: { hardware: boolean }): Promise<VmProperties | undefined> {
    const content = this.#requireContent();
    const paths = [
      'config.instanceUuid',
      'config.uuid',
      ...(options.hardware ? ['name', 'config.hardware'] : []),
    ];
    let body: XmlElement | undefined;
    try {
      body = await this.#callBody(
        'RetrievePropertiesEx',
        `<RetrievePropertiesEx xmlns="urn:vim25">${moRefXml('_this', content.propertyCollector)}<specSet><propSet><type>VirtualMachine</type>${paths.map((p) => `<pathSet>${p}</pathSet>`).join('')}</propSet><objectSet>${moRefXml('obj', vm)}</objectSet></specSet><options></options></RetrievePropertiesEx>`,
      );
    } catch (error) {
      if (error instanceof SoapFaultError && error.faultType === 'ManagedObjectNotFound') return undefined;
      throw error;
    }
    const objects = path(body, 'RetrievePropertiesExResponse', 'returnval', 'objects');
    if (!objects) return undefined;
    const values = new Map<string, XmlElement | undefined>();
    for (const prop of childrenNamed(objects, 'propSet'))
      values.set(childText(prop, 'name') ?? '', child(prop, 'val'));
    const text = (name: string) => values.get(name)?.text.trim() || undefined;
    const hardware = options.hardware ? readHardware(text('name'), values.get('config.hardware')) : undefined;
    if (options.hardware && hardware === undefined) return undefined;
    const instanceUuid = text('config.instanceUuid');
    const biosUuid = text('config.uuid');
    if (!options.hardware && instanceUuid === undefined && biosUuid === undefined) return undefined;
    return { hardware, instanceUuid, biosUuid };
  }

  /**
   * Whether vCenter's history holds an event of one of `eventTypeIds` about `entity` itself (`QueryEvents`, one
   * call). The bridge asks it for the new VM of a clone: a real vCenter logs only `VmClonedEvent`, the simulator also
   * a `VmCreatedEvent`.
   */
  async hasEventAbout(entity: MoRef, eventTypeIds: readonly string[]): Promise<boolean> {
    const content = this.#requireContent();
    const spec = `<entity>${moRefXml('entity', entity)}<recursion>self</recursion></entity>${eventTypeIds.map((id) => `<eventTypeId>${escapeXml(id)}</eventTypeId>`).join('')}<maxCount>1</maxCount>`;
    const body = await this.#callBody(
      'QueryEvents',
      `<QueryEvents xmlns="urn:vim25">${moRefXml('_this', content.eventManager)}<filter>${spec}</filter></QueryEvents>`,
    );
    return childrenNamed(child(body, 'QueryEventsResponse'), 'returnval').length > 0;
  }

  /** Close the keep-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  #requireContent(): ServiceContent {
    if (!this.#content)
      throw new BridgeError('BRIDGE_CLOSED', 'call retrieveServiceContent() / login() first');
    return this.#content;
  }

  /** Call a method and return its `returnval` element. */
  async #call(method: string, payload: string): Promise<XmlElement | undefined> {
    const body = await this.#callBody(method, payload);
    return child(child(body, `${method}Response`), 'returnval');
  }

  /** Call a method and return the SOAP Body element. */
  async #callBody(method: string, payload: string): Promise<XmlElement> {
    const { status, text } = await this.#post(ENVELOPE_START + payload + ENVELOPE_END);
    const envelope = parseXml(text);
    const body = child(envelope, 'Body');
    if (!body)
      throw new BridgeError(
        'BRIDGE_BAD_RESPONSE',
        `vCenter answered ${method} (HTTP ${status}) without a SOAP body`,
      );
    const fault = child(body, 'Fault');
    if (fault) {
      const detail = child(fault, 'detail');
      const first = detail?.children[0];
      const faultType = first?.xsiType ?? first?.name.replace(/Fault$/, '') ?? 'unknown';
      const message = childText(fault, 'faultstring') ?? '';
      const code = faultType === 'NotAuthenticated' ? 'BRIDGE_NOT_AUTHENTICATED' : 'BRIDGE_SOAP_FAULT';
      // The fault string can quote the request; never include the Login payload.
      const safe = method === 'Login' ? 'login rejected' : message.slice(0, 300);
      throw new SoapFaultError(
        code,
        faultType,
        `vCenter ${this.endpoint}: ${method} failed with ${faultType}: ${safe}`,
      );
    }
    if (status >= 400)
      throw new BridgeError(
        'BRIDGE_TRANSPORT',
        `vCenter ${this.endpoint}: ${method} answered HTTP ${status}`,
        { retriable: true },
      );
    return body;
  }

  #post(payload: string): Promise<{ status: number; text: string }> {
    const url = this.#endpoint;
    const lib = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string | number> = {
      'Content-Type': 'text/xml; charset="utf-8"',
      'User-Agent': 'vcenter-bridge',
      SOAPAction: `"${this.#soapAction}"`,
      'Content-Length': Buffer.byteLength(payload),
    };
    if (this.#cookie !== undefined) headers.Cookie = this.#cookie;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        { method: 'POST', agent: this.#agent, headers, timeout: this.#options.requestTimeoutMs },
        (res) => {
          const cookies = res.headers['set-cookie'] ?? [];
          for (const c of cookies) {
            const pair = c.split(';', 1)[0]!;
            if (pair.startsWith('vmware_soap_session=')) this.#cookie = pair;
          }
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', (cause) =>
            reject(
              new BridgeError('BRIDGE_TRANSPORT', `vCenter ${this.endpoint}: response interrupted`, {
                cause,
                retriable: true,
              }),
            ),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timed out after ${this.#options.requestTimeoutMs} ms`)));
      req.on('error', (cause) =>
        reject(
          new BridgeError('BRIDGE_TRANSPORT', `vCenter ${this.endpoint}: ${cause.message}`, {
            cause,
            retriable: true,
          }),
        ),
      );
      req.end(payload);
    });
  }
}
