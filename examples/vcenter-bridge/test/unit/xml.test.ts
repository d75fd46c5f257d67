import { describe, expect, it } from 'vitest';
import { parseXml, child, childrenNamed } from '../../src/soap/xml.js';
import { parseVcenterEvent } from '../../src/vcenter-event.js';

const envelope = (prefixDecl: string, prefix: string) => `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ${prefixDecl}>
<soapenv:Body><ReadNextEventsResponse xmlns="urn:vim25">
<returnval ${prefix}:type="VmPoweredOnEvent"><key>42</key><chainId>40</chainId><createdTime>2026-01-02T03:04:05.123456789Z</createdTime>
<userName>VSPHERE.LOCAL\\admin</userName><datacenter><name>DC0</name><datacenter type="Datacenter">datacenter-2</datacenter></datacenter>
<vm><name>web-01</name><vm type="VirtualMachine">vm-57</vm></vm><fullFormattedMessage>web-01 on host is powered on &amp; ready</fullFormattedMessage></returnval>
</ReadNextEventsResponse></soapenv:Body></soapenv:Envelope>`;

describe('xml', () => {
  it('resolves xsi:type by namespace URI whatever the prefix (vCenter xsi:, simulator XMLSchema-instance:)', () => {
    for (const [decl, prefix] of [
      ['xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"', 'xsi'],
      ['xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance"', 'XMLSchema-instance'],
      ['xmlns:q="http://www.w3.org/2001/XMLSchema-instance"', 'q'],
    ] as const) {
      const root = parseXml(envelope(decl, prefix));
      const rv = childrenNamed(child(child(root, 'Body'), 'ReadNextEventsResponse'), 'returnval');
      expect(rv).toHaveLength(1);
      const event = parseVcenterEvent(rv[0]!);
      expect(event.eventClass).toBe('VmPoweredOnEvent');
      expect(event.key).toBe(42);
      expect(event.createdTime).toBe('2026-01-02T03:04:05.123456789Z');
      expect(event.vm).toEqual({ name: 'web-01', moref: 'vm-57' });
      expect(event.fullFormattedMessage).toBe('web-01 on host is powered on & ready');
    }
  });

  it('does not take a type attribute in another namespace, or the plain type of a moref, for the event class', () => {
    const root = parseXml(envelope('xmlns:xsi="urn:not-xsi"', 'xsi'));
    const rv = childrenNamed(child(child(root, 'Body'), 'ReadNextEventsResponse'), 'returnval')[0]!;
    expect(rv.xsiType).toBeUndefined();
    expect(child(child(rv, 'vm'), 'vm')!.attributes.type).toBe('VirtualMachine');
    expect(() => parseVcenterEvent(rv)).toThrow(/xsi:type/);
  });

  it('rejects XML that is not well-formed with BRIDGE_BAD_RESPONSE', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(expect.objectContaining({ code: 'BRIDGE_BAD_RESPONSE' }));
  });

  it('reads a reconfiguration configSpec: cpu, memory, disk changes, name', () => {
    const xml = `<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="VmReconfiguredEvent"><key>7</key><createdTime>2026-01-01T00:00:00Z</createdTime>
      <vm><name>a</name><vm type="VirtualMachine">vm-1</vm></vm>
      <configSpec><numCPUs>4</numCPUs><memoryMB>8192</memoryMB><deviceChange><operation>add</operation><device xsi:type="VirtualDisk"><key>-1</key></device></deviceChange>
      <deviceChange><device xsi:type="VirtualE1000"/></deviceChange></configSpec></r>`;
    const event = parseVcenterEvent(parseXml(xml));
    expect(event.configSpec).toEqual({ numCPUs: 4, memoryMB: 8192, diskChanges: 1 });
  });
});
