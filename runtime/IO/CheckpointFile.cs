using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace NetGen;

/// <summary>
/// The checkpoint format: a safetensors file, so standard tools open it. Tensors: the network's parameters
/// under their <c>state_dict</c> names, then one <c>[ParameterCount]</c> tensor per optimizer state vector,
/// <c>optimizer.exp_avg</c> and so on, all F32. <c>__metadata__</c>: the format version, the position in
/// training, the epoch's running sums, both random streams and the optimizer's kind, hyperparameters, step
/// count and learning rate (see docs/weights.md for the keys).
/// </summary>
internal static class CheckpointFile
{
    public const string Version = "1";
    public const string OptimizerPrefix = "optimizer.";

    private const string KeyVersion = "netgen.checkpoint";
    private const string KeyParameters = "netgen.parameters";
    private const string KeyEpoch = "netgen.epoch";
    private const string KeyBatch = "netgen.batch";
    private const string KeyStep = "netgen.step";
    private const string KeyEpochBatchSize = "netgen.epoch.batch_size";
    private const string KeyEpochSamples = "netgen.epoch.samples";
    private const string KeyEpochLossSum = "netgen.epoch.loss_sum";
    private const string KeyEpochCorrect = "netgen.epoch.correct";
    private const string KeyEpochSeen = "netgen.epoch.seen";
    private const string KeyEpochPredictions = "netgen.epoch.predictions";
    private const string KeyEpochSkipped = "netgen.epoch.skipped";
    private const string KeyEpochSkippedSamples = "netgen.epoch.skipped_samples";
    private const string KeySkipped = "netgen.skipped";
    private const string KeyShuffle = "netgen.rng.shuffle";
    private const string KeyDropout = "netgen.rng.dropout";
    private const string KeyOptimizer = "netgen.optimizer";
    private const string KeyOptimizerStep = "netgen.optimizer.step";
    private const string KeyOptimizerLearningRate = "netgen.optimizer.lr";
    private const string HyperparameterPrefix = "netgen.optimizer.";
    private const string KeyEpochAbsoluteErrors = "netgen.epoch.abs_error_sum";
    private const string KeyEpochSquaredErrors = "netgen.epoch.sq_error_sum";
    private const string KeyEpochLearningRate = "netgen.epoch.lr";
    private const string KeySchedule = "netgen.schedule";
    private const string ScheduleHyperparameterPrefix = "netgen.schedule.";
    private const string KeySchedulePosition = "netgen.schedule.state.position";
    private const string KeyScheduleBase = "netgen.schedule.state.base_rate";
    private const string KeyScheduleRate = "netgen.schedule.state.rate";
    private const string KeyScheduleBest = "netgen.schedule.state.best";
    private const string KeyScheduleBad = "netgen.schedule.state.bad_epochs";
    private const string KeyScheduleCooldown = "netgen.schedule.state.cooldown_left";

    /// <summary>
    /// The largest step count a checkpoint may give (2^53, the largest integer every double holds exactly; no run
    /// takes that many steps). Larger counts, up to <see cref="long.MaxValue"/>, would overflow within a few steps
    /// and turn Adam's bias correction to NaN.
    /// </summary>
    public const long MaxStepCount = 1L << 53;

    /// <summary>What a valid checkpoint decodes to, before anything is committed.</summary>
    public sealed class Contents
    {
        public Contents(float[] parameters, float[] optimizerState, CheckpointState state)
        {
            Parameters = parameters;
            OptimizerState = optimizerState;
            State = state;
        }

        /// <summary>A full copy of the network's parameters and buffers ([Parameters, Buffers]) with the file's values in place.</summary>
        public float[] Parameters { get; }

        /// <summary>The optimizer's state vectors back to back; empty when it has none or has not stepped.</summary>
        public float[] OptimizerState { get; }

        public CheckpointState State { get; }
    }

    // ---------------------------------------------------------------- write

    public static void Write(Stream stream, INetwork network, Optimizer optimizer, CheckpointState state)
    {
        // Parameters and buffers (batch norm's running statistics) as the weights file lists them; all F32 here,
        // counts included, so the checkpoint is one dtype throughout.
        List<ParameterTensor> parameters = SafeTensors.StateTensors(network).ConvertAll(t => new ParameterTensor(t.Name, t.Offset, t.Shape.ToArray()));
        OptimizerDescription optimizerInfo = OptimizerDescription.Of(optimizer);
        ReadOnlySpan<float> optimizerState = optimizer.GetState();
        int n = network.ParameterCount;
        if (!optimizerState.IsEmpty && optimizer.ParameterCount != n)
        {
            throw new InvalidOperationException(
                $"The optimizer's state is sized for {optimizer.ParameterCount} parameters, but the network has {n}.");
        }

        var tensors = new List<ParameterTensor>(parameters);
        List<ParameterTensor> stateTensors = StateTensors(optimizerInfo, optimizerState.IsEmpty ? 0 : optimizerInfo.StateNames.Length, n);
        tensors.AddRange(stateTensors);
        CheckUnique(tensors);

        SafeTensors.WriteHeader(stream, tensors, Metadata(network, optimizerInfo, state));
        ReadOnlySpan<float> values = SafeTensors.Snapshot(network);
        foreach (ParameterTensor t in parameters)
        {
            SafeTensors.WriteFloats(stream, values.Slice(t.Offset, t.Length));
        }

        SafeTensors.WriteFloats(stream, optimizerState);
        stream.Flush();
    }

    private static List<KeyValuePair<string, string>> Metadata(INetwork network, OptimizerDescription optimizer, CheckpointState s)
    {
        var m = new List<KeyValuePair<string, string>>
        {
            new(KeyVersion, Version),
            new(KeyParameters, Text(network.ParameterCount)),
            new(KeyEpoch, Text(s.CompletedEpochs)),
            new(KeyBatch, Text(s.BatchesIntoEpoch)),
            new(KeyStep, Text(s.StepCount)),
            new(KeyEpochBatchSize, Text(s.EpochBatchSize)),
            new(KeyEpochSamples, Text(s.EpochSamples)),
            new(KeyEpochLossSum, s.EpochLossSum.ToString("R", CultureInfo.InvariantCulture)),
            new(KeyEpochCorrect, Text(s.EpochCorrect)),
            new(KeyEpochSeen, Text(s.EpochSeen)),
            new(KeyEpochPredictions, Text(s.EpochPredictions)),
            new(KeyEpochSkipped, Text(s.EpochSkippedSteps)),
            new(KeyEpochSkippedSamples, Text(s.EpochSkippedSamples)),
            new(KeySkipped, Text(s.SkippedSteps)),
            new(KeyShuffle, RngText(s.Shuffle)),
            new(KeyDropout, RngText(s.Dropout)),
            new(KeyOptimizer, optimizer.Kind),
            new(KeyOptimizerStep, Text(s.OptimizerSteps)),
            new(KeyOptimizerLearningRate, OptimizerDescription.Format(s.LearningRate)),
        };
        foreach (KeyValuePair<string, string> pair in optimizer.Hyperparameters)
        {
            m.Add(new(HyperparameterPrefix + pair.Key, pair.Value));
        }

        m.Add(new(KeyEpochAbsoluteErrors, Round(s.EpochAbsoluteErrorSum)));
        m.Add(new(KeyEpochSquaredErrors, Round(s.EpochSquaredErrorSum)));
        m.Add(new(KeyEpochLearningRate, OptimizerDescription.Format(s.EpochLearningRate)));
        if (s.ScheduleKind is string kind)
        {
            m.Add(new(KeySchedule, kind));
            foreach (KeyValuePair<string, string> pair in s.ScheduleHyperparameters!)
            {
                m.Add(new(ScheduleHyperparameterPrefix + pair.Key, pair.Value));
            }

            ScheduleState st = s.ScheduleState;
            m.Add(new(KeySchedulePosition, Text(st.Position)));
            m.Add(new(KeyScheduleBase, Round(st.BaseRate)));
            m.Add(new(KeyScheduleRate, Round(st.Rate)));
            m.Add(new(KeyScheduleBest, Round(st.Best)));
            m.Add(new(KeyScheduleBad, Text(st.BadEpochs)));
            m.Add(new(KeyScheduleCooldown, Text(st.CooldownLeft)));
        }

        return m;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Round(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The four xoshiro256** words as 16 hex digits each, separated by spaces.</summary>
    private static string RngText(Rng rng)
    {
        Span<ulong> words = stackalloc ulong[4];
        rng.GetState(words);
        return string.Join(' ', words[0].ToString("x16", CultureInfo.InvariantCulture), words[1].ToString("x16", CultureInfo.InvariantCulture),
            words[2].ToString("x16", CultureInfo.InvariantCulture), words[3].ToString("x16", CultureInfo.InvariantCulture));
    }

    private static List<ParameterTensor> StateTensors(OptimizerDescription optimizer, int vectors, int n)
    {
        var list = new List<ParameterTensor>(vectors);
        for (int k = 0; k < vectors; k++)
        {
            list.Add(new ParameterTensor(OptimizerPrefix + optimizer.StateNames[k], k * n, n));
        }

        return list;
    }

    private static void CheckUnique(List<ParameterTensor> tensors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ParameterTensor t in tensors)
        {
            if (!names.Add(t.Name))
            {
                throw new InvalidOperationException(
                    $"The network has a tensor named '{t.Name}', which a checkpoint uses for the optimizer's state.");
            }
        }
    }

    // ---------------------------------------------------------------- read

    /// <summary>
    /// Checks every byte and every value of a checkpoint against <paramref name="network"/> and
    /// <paramref name="optimizer"/> and decodes it into copies; nothing is changed. Any problem throws
    /// <see cref="WeightFormatException"/>.
    /// </summary>
    public static Contents Read(ReadOnlySpan<byte> bytes, INetwork network, Optimizer optimizer, LearningRateSchedule? schedule = null)
    {
        SafeTensorsHeader header = SafeTensors.ParseFile(bytes, out int dataStart);
        ReadOnlySpan<byte> data = bytes[dataStart..];
        var meta = new MetadataReader(header.Metadata);

        string version = meta.Find(KeyVersion) ?? throw new WeightFormatException(
            $"The file's __metadata__ has no '{KeyVersion}' entry: it is not a NetGen checkpoint. A weights file loads with net.Load(path).");
        if (version != Version)
        {
            throw new WeightFormatException($"Checkpoint format version '{SafeTensorsHeader.Clip(version)}' is not supported; this library reads version {Version}.");
        }

        int n = network.ParameterCount;
        int savedParameters = meta.Int(KeyParameters, 0, int.MaxValue);
        if (savedParameters != n)
        {
            throw new WeightFormatException($"The checkpoint holds {savedParameters} parameters; the network has {n}.");
        }

        CheckpointState state = ReadState(meta, schedule);

        // The optimizer: same kind and hyperparameters, or the continuation would not be the same run.
        OptimizerDescription expected = OptimizerDescription.Of(optimizer);
        string kind = meta.String(KeyOptimizer);
        if (kind != expected.Kind)
        {
            throw new WeightFormatException(
                $"The checkpoint was saved with optimizer {SafeTensorsHeader.Clip(kind)}; this trainer's is {expected.Kind}.");
        }

        foreach (KeyValuePair<string, string> pair in expected.Hyperparameters)
        {
            string saved = meta.String(HyperparameterPrefix + pair.Key);
            if (saved != pair.Value)
            {
                throw new WeightFormatException(
                    $"Optimizer {kind}: the checkpoint has {pair.Key} {SafeTensorsHeader.Clip(saved)}, this trainer's optimizer {pair.Value}. " +
                    "Resume with the same hyperparameters (the learning rate is restored from the checkpoint).");
            }
        }

        // The tensors: exactly the network's and, after a first step, the optimizer's vectors.
        int vectors = state.OptimizerSteps > 0 ? optimizer.StateVectorCount : 0;
        float[] parameters = SafeTensors.Snapshot(network);
        float[] optimizerState = new float[checked((long)vectors * n)];
        var targets = new Dictionary<string, (ParameterTensor Tensor, float[] Buffer)>(StringComparer.Ordinal);
        var stateNames = new Dictionary<string, string>(StringComparer.Ordinal); // optimizer tensor -> its state name
        List<ParameterTensor> networkTensors = SafeTensors.StateTensors(network);
        foreach (ParameterTensor t in networkTensors)
        {
            targets.Add(t.Name, (t, parameters));
        }

        for (int k = 0; k < vectors; k++)
        {
            stateNames.Add(OptimizerPrefix + expected.StateNames[k], expected.StateNames[k]);
        }

        foreach (ParameterTensor t in StateTensors(expected, vectors, n))
        {
            if (!targets.TryAdd(t.Name, (t, optimizerState)))
            {
                throw new InvalidOperationException(
                    $"The network has a tensor named '{t.Name}', which a checkpoint uses for the optimizer's state.");
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (SafeTensorsEntry entry in header.Tensors)
        {
            if (!targets.TryGetValue(entry.Name, out (ParameterTensor Tensor, float[] Buffer) target))
            {
                string why = entry.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)
                    ? $"{expected.Kind} after {state.OptimizerSteps} steps keeps {vectors} state vectors ({string.Join(", ", expected.StateNames)})"
                    : "the network has no tensor of that name";
                throw new WeightFormatException($"The checkpoint holds tensor '{SafeTensorsHeader.Clip(entry.Name)}', which it should not: {why}.", entry.Name);
            }

            ParameterTensor t = target.Tensor;
            if (!SameShape(entry.Shape, t.Shape))
            {
                throw new WeightFormatException(
                    $"Tensor '{SafeTensorsHeader.Clip(entry.Name)}': expected shape {SafeTensorsHeader.FormatShape(t.Shape)}, found {entry.ShapeText} in the checkpoint.", entry.Name);
            }

            if (entry.DType != "F32")
            {
                throw new WeightFormatException($"Tensor '{SafeTensorsHeader.Clip(entry.Name)}': expected dtype F32 in a checkpoint, found {entry.DType}.", entry.Name);
            }

            Span<float> values = target.Buffer.AsSpan(t.Offset, t.Length);
            SafeTensors.Decode(data.Slice((int)entry.Begin, (int)entry.ByteLength), "F32", values);
            if (stateNames.TryGetValue(entry.Name, out string? stateName))
            {
                StateValues.CheckOptimizerState(entry.Name, expected.Kind, stateName, values);
            }
            else
            {
                StateValues.CheckCheckpointTensor(t, t.Offset >= n, values);
            }

            seen.Add(entry.Name);
        }

        foreach (KeyValuePair<string, (ParameterTensor Tensor, float[] Buffer)> pair in targets)
        {
            if (!seen.Contains(pair.Key))
            {
                throw new WeightFormatException(
                    $"The checkpoint lacks tensor '{pair.Key}' {SafeTensorsHeader.FormatShape(pair.Value.Tensor.Shape)}.", pair.Key);
            }
        }

        return new Contents(parameters, optimizerState, state);
    }

    private static CheckpointState ReadState(MetadataReader meta, LearningRateSchedule? schedule)
    {
        // One less than int.MaxValue: the next Fit numbers its epoch CompletedEpochs + 1.
        int epoch = meta.Int(KeyEpoch, 0, int.MaxValue - 1);
        int batch = meta.Int(KeyBatch, 0, int.MaxValue);
        long step = meta.Long(KeyStep, MaxStepCount);
        int batchSize = meta.Int(KeyEpochBatchSize, 0, int.MaxValue);
        int samples = meta.Int(KeyEpochSamples, 0, int.MaxValue);
        double lossSum = meta.Double(KeyEpochLossSum);
        long correct = meta.Long(KeyEpochCorrect, long.MaxValue);
        int seen = meta.Int(KeyEpochSeen, 0, int.MaxValue);

        // The skip counts came with the non-finite guard; a checkpoint written before it skipped nothing.
        int skipped = meta.Find(KeyEpochSkipped) is null ? 0 : meta.Int(KeyEpochSkipped, 0, batch);
        int skippedSamples = meta.Find(KeyEpochSkippedSamples) is null ? 0 : meta.Int(KeyEpochSkippedSamples, skipped, seen);
        long skippedSteps = meta.Find(KeySkipped) is null ? 0 : meta.Long(KeySkipped, MaxStepCount);

        // The predictions came with per-position accuracy (Loss.CountPredictions); before it, one per sample counted.
        long predictions = meta.Find(KeyEpochPredictions) is null ? seen - skippedSamples : meta.Long(KeyEpochPredictions, long.MaxValue);
        if (batch > 0)
        {
            // An epoch in progress must be one Fit could have left: whole batches of the saved size.
            if (batchSize < 1 || samples < 1)
            {
                throw new WeightFormatException(
                    $"The checkpoint is {batch} batches into an epoch but gives its batch size as {batchSize} and its samples as {samples}.");
            }

            long batches = ((long)samples + batchSize - 1) / batchSize;
            long expectedSeen = Math.Min((long)batch * batchSize, samples);
            if (batch > batches || seen != expectedSeen || correct > predictions)
            {
                throw new WeightFormatException(
                    $"The checkpoint's epoch in progress is inconsistent: {batch} of {batches} batches of {batchSize} from {samples} samples, " +
                    $"{seen} samples seen (expected {expectedSeen}), {correct} of {predictions} predictions right.");
            }
        }

        float learningRate = meta.Float(KeyOptimizerLearningRate);
        if (!(learningRate >= 0f) || float.IsInfinity(learningRate))
        {
            throw new WeightFormatException($"The checkpoint's learning rate is {learningRate}; it must be a finite number, 0 or more.");
        }

        long optimizerSteps = meta.Long(KeyOptimizerStep, MaxStepCount);

        // Came with the training-loop options; a checkpoint written before them has no errors, the optimizer's rate, no schedule.
        double absoluteErrors = meta.Find(KeyEpochAbsoluteErrors) is null ? 0 : meta.Double(KeyEpochAbsoluteErrors);
        double squaredErrors = meta.Find(KeyEpochSquaredErrors) is null ? 0 : meta.Double(KeyEpochSquaredErrors);
        float epochRate = meta.Find(KeyEpochLearningRate) is null ? learningRate : meta.Float(KeyEpochLearningRate);
        ScheduleState scheduleState = ReadSchedule(meta, schedule);
        return new CheckpointState
        {
            EpochAbsoluteErrorSum = absoluteErrors,
            EpochSquaredErrorSum = squaredErrors,
            EpochLearningRate = epochRate,
            ScheduleKind = schedule?.Kind,
            ScheduleState = scheduleState,
            CompletedEpochs = epoch,
            BatchesIntoEpoch = batch,
            StepCount = step,
            EpochBatchSize = batchSize,
            EpochSamples = samples,
            EpochLossSum = lossSum,
            EpochCorrect = correct,
            EpochSeen = seen,
            EpochPredictions = predictions,
            EpochSkippedSteps = skipped,
            EpochSkippedSamples = skippedSamples,
            SkippedSteps = skippedSteps,
            Shuffle = meta.Rng(KeyShuffle),
            Dropout = meta.Rng(KeyDropout),
            OptimizerSteps = optimizerSteps,
            LearningRate = learningRate,
        };
    }

    /// <summary>The schedule's state, checked against <paramref name="schedule"/>: the same kind and hyperparameters, or neither has one.</summary>
    private static ScheduleState ReadSchedule(MetadataReader meta, LearningRateSchedule? schedule)
    {
        string? kind = meta.Find(KeySchedule);
        if (schedule is null)
        {
            if (kind is not null)
            {
                throw new WeightFormatException(
                    $"The checkpoint was saved with learning-rate schedule {SafeTensorsHeader.Clip(kind)}; this trainer has none. Set Trainer.Schedule to the same schedule before loading.");
            }

            return default;
        }

        if (kind is null)
        {
            throw new WeightFormatException(
                $"The checkpoint was saved without a learning-rate schedule; this trainer has {schedule.Kind}. Set Trainer.Schedule to null before loading.");
        }

        if (kind != schedule.Kind)
        {
            throw new WeightFormatException($"The checkpoint was saved with learning-rate schedule {SafeTensorsHeader.Clip(kind)}; this trainer's is {schedule.Kind}.");
        }

        var expected = new List<KeyValuePair<string, string>>();
        schedule.AddHyperparameters(expected);
        foreach (KeyValuePair<string, string> pair in expected)
        {
            string saved = meta.String(ScheduleHyperparameterPrefix + pair.Key);
            if (saved != pair.Value)
            {
                throw new WeightFormatException(
                    $"Schedule {kind}: the checkpoint has {pair.Key} {SafeTensorsHeader.Clip(saved)}, this trainer's schedule {pair.Value}. Resume with the same schedule.");
            }
        }

        long position = meta.Long(KeySchedulePosition, long.MaxValue);
        double baseRate = meta.Double(KeyScheduleBase);
        double rate = meta.Double(KeyScheduleRate);
        double best = meta.Double(KeyScheduleBest);
        int bad = meta.Int(KeyScheduleBad, 0, int.MaxValue);
        int cooldown = meta.Int(KeyScheduleCooldown, 0, int.MaxValue);
        if (!(baseRate >= 0) || double.IsInfinity(baseRate) || !(rate >= 0) || double.IsInfinity(rate))
        {
            throw new WeightFormatException($"The checkpoint's schedule rates are {baseRate} (base) and {rate}; they must be finite numbers, 0 or more.");
        }

        return new ScheduleState(position, baseRate, rate, best, bad, cooldown);
    }

    private static bool SameShape(long[] file, ReadOnlySpan<int> network)
    {
        if (file.Length != network.Length)
        {
            return false;
        }

        for (int i = 0; i < file.Length; i++)
        {
            if (file[i] != network[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Typed, checked access to <c>__metadata__</c>; every problem is a <see cref="WeightFormatException"/> naming the key.</summary>
    private readonly struct MetadataReader
    {
        private readonly Dictionary<string, string> _values;

        public MetadataReader(Dictionary<string, string> values) => _values = values;

        public string? Find(string key) => _values.TryGetValue(key, out string? value) ? value : null;

        public string String(string key) =>
            Find(key) ?? throw new WeightFormatException($"The checkpoint's __metadata__ lacks '{key}'.");

        public long Long(string key, long max)
        {
            string text = String(key);
            if (!IsDigits(text) || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value > max)
            {
                throw Bad(key, text, $"an integer from 0 to {max.ToString(CultureInfo.InvariantCulture)}");
            }

            return value;
        }

        public int Int(string key, int min, int max)
        {
            string text = String(key);
            if (!IsDigits(text) || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            {
                throw Bad(key, text, $"an integer from {min} to {max}");
            }

            return value;
        }

        public double Double(string key)
        {
            string text = String(key);
            if (text.Length > 40 || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                throw Bad(key, text, "a number");
            }

            return value;
        }

        public float Float(string key)
        {
            string text = String(key);
            if (text.Length > 40 || !float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
            {
                throw Bad(key, text, "a number");
            }

            return value;
        }

        public Rng Rng(string key)
        {
            string text = String(key);
            Span<ulong> words = stackalloc ulong[4];
            bool ok = text.Length == (4 * 16) + 3;
            for (int i = 0; ok && i < 4; i++)
            {
                ReadOnlySpan<char> word = text.AsSpan(i * 17, 16);
                ok = (i == 3 || text[(i * 17) + 16] == ' ') && IsHex(word)
                    && ulong.TryParse(word, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out words[i]);
            }

            if (!ok)
            {
                throw Bad(key, text, "four 16-digit hexadecimal words separated by spaces");
            }

            if ((words[0] | words[1] | words[2] | words[3]) == 0)
            {
                throw Bad(key, text, "a random state that is not all zero");
            }

            var rng = default(Rng);
            rng.SetState(words);
            return rng;
        }

        private static bool IsDigits(string text)
        {
            if (text.Length == 0 || text.Length > 19)
            {
                return false;
            }

            foreach (char c in text)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsHex(ReadOnlySpan<char> text)
        {
            foreach (char c in text)
            {
                if (!char.IsAsciiHexDigit(c))
                {
                    return false;
                }
            }

            return true;
        }

        private static WeightFormatException Bad(string key, string text, string expected) =>
            new($"The checkpoint's __metadata__ '{key}' is \"{SafeTensorsHeader.Clip(text)}\"; expected {expected}.");
    }
}
