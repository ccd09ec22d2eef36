using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tokenization;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Tests.Estimators;

public class ClassifierTrainerTests
{
    private static BertTokenizer Tokenizer() => ClassifierFixtures.Tokenizer();

    private static List<(string Text, int Label)> Reviews(int count, int seed) => ClassifierFixtures.Reviews(count, seed);

    private static BertModel NewModel(BertTokenizer tokenizer) => BertModel.Create(new BertConfig
    {
        VocabSize = tokenizer.Vocabulary.Count, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 64,
        MaxPositionEmbeddings = 64,
    }, BertHeads.Classification(2), seed: 3);

    private static float[][] Predict(BertModel model, IReadOnlyList<ClassificationExample[]> rows, int batchSize, int padTokenId)
    {
        using var engine = BertEngines.CreateInference(model);
        return ClassifierPredictor.Predict(engine, rows, batchSize, padTokenId);
    }

    [Fact]
    public void LearnsASeparableTaskAndReportsEveryEpoch()
    {
        var tokenizer = Tokenizer();
        var encoder = new ClassificationEncoder(tokenizer, 32, LongTextStrategy.Truncate, 16);
        var train = Reviews(256, 1).Select(r => encoder.Encode(r.Text, null, r.Label)).ToList();
        var valid = Reviews(64, 2).Select(r => encoder.Encode(r.Text, null, r.Label)).ToList();
        var model = NewModel(tokenizer);
        // A transformer trained from scratch sits on a plateau for a few dozen updates before it finds the word: give it ~200.
        var options = new RobertaClassifierOptions { ModelPath = "unused", BatchSize = 8, MaxEpochs = 6, LearningRate = 1e-3f, Dropout = 0f };
        var (history, cancelled) = ClassifierTrainer.Train(options, 7, model, train, valid, padTokenId: 0, vocabularyPath: null, CancellationToken.None);
        Assert.False(cancelled);
        Assert.Equal([1, 2, 3, 4, 5, 6], history.Select(h => h.Epoch));
        Assert.Equal([32L, 64, 96, 128, 160, 192], history.Select(h => h.Step));
        Assert.True(history[^1].Accuracy >= 0.95, "accuracy by epoch: " + string.Join(", ", history.Select(h => h.Accuracy)));
        var probabilities = Predict(model, valid, 7, 0);
        var (accuracy, _) = ClassifierTrainer.AccuracyAndLogLoss(probabilities, valid);
        Assert.Equal(history.Max(h => h.Accuracy), accuracy); // the best epoch's weights are the ones kept
    }

    [Fact]
    public void SlidingWindowsCoverTheWholeTextAndPredictionsAverageThem()
    {
        var tokenizer = Tokenizer();
        var encoder = new ClassificationEncoder(tokenizer, 10, LongTextStrategy.SlidingWindow, 5);
        string text = string.Concat(Enumerable.Repeat("我你他的是在有了这个人天", 2)); // 24 characters
        var windows = encoder.Encode(text, null, 1);
        Assert.Equal(5, windows.Length); // starts 0, 5, 10, 15, 20 with up to 8 tokens of body each; the last reaches the end
        Assert.All(windows, w => Assert.True(w.InputIds.Length <= 10 && w.InputIds[0] == 2 && w.InputIds[^1] == 3));
        var covered = windows.SelectMany((w, i) => w.InputIds[1..^1].Select((_, j) => i * 5 + j)).Distinct().Count();
        Assert.Equal(24, covered);

        var model = NewModel(tokenizer);
        var averaged = Predict(model, [windows], 2, 0)[0];
        var each = windows.Select(w => Predict(model, [[w]], 1, 0)[0]).ToList();
        for (int c = 0; c < 2; c++) Assert.Equal(each.Average(p => p[c]), averaged[c], 5);
    }

    [Fact]
    public void PredictionsDoNotDependOnTheBatchSize()
    {
        var tokenizer = Tokenizer();
        var encoder = new ClassificationEncoder(tokenizer, 32, LongTextStrategy.Truncate, 16);
        var rows = Reviews(20, 4).Select(r => encoder.Encode(r.Text, null, r.Label)).ToList();
        var model = NewModel(tokenizer);
        var one = Predict(model, rows, 1, 0);
        var many = Predict(model, rows, 8, 0);
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < 2; c++) Assert.Equal(one[r][c], many[r][c], 5);
    }
}
