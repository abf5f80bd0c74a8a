import { formatCommand, formatDuration, formatPairs, formatTable, formatTimestamp, shortContainerId, shortJobId } from './table';

describe('formatTable', () => {
  it("lays out columns as wide as their widest cell, four spaces apart, like Helios's `jobs`", () => {
    const table = formatTable(
      ['JOB ID', 'NAME', 'VERSION', 'HOSTS', 'COMMAND', 'ENVIRONMENT'],
      [['testjob:1:4f7125b', 'testjob', '1', '1', '/bin/sh -c "while true; do date; sleep 60; done"', 'FOO=bar']],
    );
    expect(table.split('\n')).toEqual([
      'JOB ID               NAME       VERSION    HOSTS    COMMAND                                             ENVIRONMENT',
      'testjob:1:4f7125b    testjob    1          1        /bin/sh -c "while true; do date; sleep 60; done"    FOO=bar',
    ]);
  });

  it('prints only the header when there are no rows, and no trailing blanks', () => {
    expect(formatTable(['HOST', 'STATE'], [])).toBe('HOST    STATE');
    expect(formatTable(['A', 'B'], [['x', '']])).toBe('A    B\nx');
  });
});

describe('cell formats', () => {
  it('shortens job ids to 7 hash characters unless full', () => {
    expect(shortJobId('testjob:1:4f7125bff35d3cecaac237da3ab17efca8a765f9')).toBe('testjob:1:4f7125b');
    expect(shortJobId('testjob:1:4f7125bff35d', true)).toBe('testjob:1:4f7125bff35d');
    expect(shortJobId('odd')).toBe('odd');
  });

  it('quotes command arguments a shell would split', () => {
    expect(formatCommand(['/bin/sh', '-c', 'while true; do date; sleep 60; done'])).toBe('/bin/sh -c "while true; do date; sleep 60; done"');
    expect(formatCommand(['echo', 'say "hi"', ''])).toBe('echo "say \\"hi\\"" ""');
  });

  it('sorts pairs, formats times and durations, and shows <none> for a missing container', () => {
    expect(formatPairs({ B: 2, A: 'x' })).toBe('A=x B=2');
    expect(formatTimestamp('2014-08-11T14:37:44.987Z')).toBe('2014-08-11 14:37:44.987');
    expect(formatDuration(3 * 60_000 + 5_000)).toBe('3 minutes');
    expect(formatDuration(3_600_000)).toBe('1 hour');
    expect(formatDuration(999)).toBe('0 seconds');
    expect(shortContainerId(undefined)).toBe('<none>');
    expect(shortContainerId('60671498ae98c0ffee')).toBe('60671498ae98');
  });
});
