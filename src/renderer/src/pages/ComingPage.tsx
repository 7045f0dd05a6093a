/** A page whose feature is still being built: says what is coming, shows no made-up data. */
export function ComingPage({ title, what }: { title: string; what: string[] }) {
  return (
    <div className="page">
      <h1>{title}</h1>
      <p className="lede">Not built yet. This page will:</p>
      <ul className="coming">
        {what.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
    </div>
  );
}
