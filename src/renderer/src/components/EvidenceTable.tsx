/** Evidence rows (label, value, where it came from), as checks and diagnoses show them. */
export function EvidenceTable({ evidence, label }: { evidence: readonly { label: string; value: string; source: string }[]; label: string }) {
  return (
    <table className="grid evidence" aria-label={label}>
      <tbody>
        {evidence.map((e, i) => (
          <tr key={`${e.label}-${i}`}>
            <th scope="row">{e.label}</th>
            <td>
              <code>{e.value}</code>
            </td>
            <td className="source">{e.source}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
