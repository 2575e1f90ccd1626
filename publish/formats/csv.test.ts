import { describe, expect, it } from 'vitest';
import { checks } from '../../checks/index.ts';
import { complianceReports } from '../../core/compliance.ts';
import { csvRecords, parseCsv } from '../../test/csv.ts';
import { aFinding, aReport } from '../../test/findings.ts';
import { COMPLIANCE_COLUMNS, csvCell, FINDING_COLUMNS, findingsCsv, toCsv } from './csv.ts';

const records = csvRecords;

describe('CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['', ''],
  ])('%j → %j', (input, out) => {
    expect(csvCell(input)).toBe(out);
  });
});

describe('findings CSV', () => {
  const evil = aFinding({ cluster: '=cmd|calc', message: 'publicAccessCidrs contains 0.0.0.0/0, "::/0"\nsecond line' });
  const suppressed = aFinding({
    cluster: 'prod',
    checkId: 'EKS.LOGGING.1',
    lifecycle: {
      state: 'persisting',
      firstSeen: '2026-05-01T00:00:00Z',
      lastSeen: '2026-06-01T00:00:00Z',
      suppressed: {
        index: 0,
        check: 'EKS.LOGGING.1',
        resource: '*',
        reason: 'dev cluster, logs cost',
        owner: 'sec',
        expires: '2026-12-31',
      },
    },
  });
  const pass = aFinding({ cluster: 'prod', checkId: 'EKS.ENCRYPTION.1', status: 'PASS' });
  const csv = findingsCsv(aReport([evil, suppressed, pass]), checks);

  it('has a header row in the stable column order, then one row per result', () => {
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...FINDING_COLUMNS]);
    expect(rows).toHaveLength(4);
    for (const r of rows) expect(r).toHaveLength(FINDING_COLUMNS.length);
  });

  it('keeps commas, quotes and line breaks inside a cell, and defuses formulas', () => {
    const [first] = records(csv);
    expect(first!.cluster).toBe("'=cmd|calc");
    expect(first!.message).toBe('publicAccessCidrs contains 0.0.0.0/0, "::/0"\nsecond line');
  });

  it('gives lifecycle, suppression and the framework controls of the check', () => {
    const [, s, p] = records(csv);
    expect(s).toMatchObject({
      check_id: 'EKS.LOGGING.1',
      lifecycle: 'persisting',
      suppressed: 'yes',
      suppression_reason: 'dev cluster, logs cost',
      suppressed_until: '2026-12-31',
      first_seen: '2026-05-01T00:00:00Z',
    });
    expect(s!.controls).toMatch(/cis-eks-1\.8 2\.1\.1/);
    expect(p).toMatchObject({ status: 'PASS', lifecycle: '', suppressed: 'no' });
  });
});

describe('compliance CSV', () => {
  it('gives one row per benchmark, control and cluster, with MANUAL or NOT_ASSESSED where no check judges', () => {
    const findings = [
      aFinding({ cluster: 'a', checkId: 'EKS.ENDPOINT.1', status: 'FAIL' }),
      aFinding({ cluster: 'b', checkId: 'EKS.ENDPOINT.1', status: 'PASS' }),
    ];
    const report = aReport(findings);
    const bench = {
      id: 'cis-x',
      title: 'X',
      version: '1',
      provider: 'aws' as const,
      controls: [
        { id: '5.4.1', title: 'Restrict the endpoint', assessment: 'manual' as const },
        { id: '3.1.1', title: 'File permissions', assessment: 'automated' as const, guidance: 'On the nodes, please.' },
        { id: '2.1.2', title: 'Logs are managed', assessment: 'manual' as const, guidance: 'Ship them somewhere.' },
      ],
    };
    const mapped = [{ id: 'EKS.ENDPOINT.1', provider: 'aws' as const, frameworks: { 'cis-x': ['5.4.1'] } }];
    report.compliance = complianceReports(findings, [bench], mapped);
    const rows = records(toCsv(report, checks));
    expect(parseCsv(toCsv(report))[0]).toEqual([...COMPLIANCE_COLUMNS]);
    expect(rows.map((r) => [r.control, r.cluster, r.verdict])).toEqual([
      ['2.1.2', 'a', 'MANUAL'],
      ['2.1.2', 'b', 'MANUAL'],
      ['3.1.1', 'a', 'NOT_ASSESSED'],
      ['3.1.1', 'b', 'NOT_ASSESSED'],
      ['5.4.1', 'a', 'FAIL'],
      ['5.4.1', 'b', 'PASS'],
    ]);
    expect(rows[2]!.guidance).toBe('On the nodes, please.');
    expect(rows[4]).toMatchObject({ failing_checks: 'EKS.ENDPOINT.1', suppressed_fails: '0', accepted_risk: 'no' });

    report.compliance = complianceReports([], [bench], mapped);
    expect(records(toCsv(report)).map((r) => [r.control, r.cluster, r.verdict])).toEqual([
      ['2.1.2', '', 'MANUAL'],
      ['3.1.1', '', 'NOT_ASSESSED'],
      ['5.4.1', '', 'NO_CLUSTERS'],
    ]);
  });
});
