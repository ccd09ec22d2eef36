using System.CommandLine;
using Microsoft.ML.RobertaZh.Cli.Commands;

var root = new RootCommand("roberta-zh: Chinese RoBERTa pretraining, fine-tuning and inference on the CPU.");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(EncodeCommand.Create());
root.Subcommands.Add(SegmentCommand.Create());
root.Subcommands.Add(TokenizeCommand.Create());
root.Subcommands.Add(BuildVocabCommand.Create());
root.Subcommands.Add(PretrainCommand.Create());
root.Subcommands.Add(FillMaskCommand.Create());
root.Subcommands.Add(PreprocessCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(PredictCommand.Create());
root.Subcommands.Add(SweepCommand.Create());
root.Subcommands.Add(InitModelCommand.Create());
root.Subcommands.Add(PlotCommand.Create());
return root.Parse(args).Invoke();
