using Traceability.Requests;

namespace Traceability.Batches;

/// <summary>Outputs plus declared losses must account for the input, within the configured tolerance.</summary>
public static class MassBalance
{
    public static Refusal? Check(Mass inputKg, IEnumerable<Mass> outputs, IEnumerable<Loss> losses, decimal tolerancePercent, string outputsField)
    {
        var outputsKg = new Mass(outputs.Sum(m => m.Kilograms));
        var lossesKg = new Mass(losses.Sum(l => l.MassKg.Kilograms));
        var accounted = outputsKg + lossesKg;
        // Compared unrounded: 0.5001% is outside a 0.5% tolerance even though it prints as 0.5.
        if (accounted.PercentOff(inputKg) <= tolerancePercent) return null;
        var percentOff = decimal.Round(accounted.PercentOff(inputKg), 4);

        var rule = $"outputs {outputsKg} + losses {lossesKg} = {accounted}, but the input is {inputKg}: {percentOff}% off, beyond the {tolerancePercent}% mass-balance tolerance";
        return Refusal.Invalid(outputsField, rule) with
        {
            Extensions = new Dictionary<string, object>
            {
                ["massBalance"] = new Dictionary<string, decimal>
                {
                    ["inputKg"] = inputKg.Kilograms,
                    ["outputsKg"] = outputsKg.Kilograms,
                    ["lossesKg"] = lossesKg.Kilograms,
                    ["differenceKg"] = (accounted - inputKg).Kilograms,
                    ["percentOff"] = percentOff,
                    ["tolerancePercent"] = tolerancePercent,
                },
            },
        };
    }
}
